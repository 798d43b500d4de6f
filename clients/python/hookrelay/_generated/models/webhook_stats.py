from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.stats_point import StatsPoint


T = TypeVar("T", bound="WebhookStats")


@_attrs_define
class WebhookStats:
    """A webhook's numbers over a window (test sends are not counted).

    Attributes:
        attempts (int):
        failed_deliveries (int): Deliveries that ended `failed` (retry schedule used up) in the window.
        failures (int):
        pending_deliveries (int): Deliveries waiting for an attempt now.
        series (list[StatsPoint]): Attempts and successes per interval (1 min, 1 h, 6 h or 1 day), oldest first;
            intervals without attempts are left out.
        since (datetime.datetime):
        successes (int):
        window (str):
        execution_time_p50 (float | None | Unset): Median attempt duration in seconds (the upper bound of its histogram
            bucket).
        execution_time_p95 (float | None | Unset): 95th percentile attempt duration in seconds (bucket upper bound).
        last_execution_at (datetime.datetime | None | Unset):
        last_response_code (int | None | Unset):
        success_rate (float | None | Unset): `successes / attempts` (0-1); null without attempts.
    """

    attempts: int
    failed_deliveries: int
    failures: int
    pending_deliveries: int
    series: list[StatsPoint]
    since: datetime.datetime
    successes: int
    window: str
    execution_time_p50: float | None | Unset = UNSET
    execution_time_p95: float | None | Unset = UNSET
    last_execution_at: datetime.datetime | None | Unset = UNSET
    last_response_code: int | None | Unset = UNSET
    success_rate: float | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        attempts = self.attempts

        failed_deliveries = self.failed_deliveries

        failures = self.failures

        pending_deliveries = self.pending_deliveries

        series = []
        for series_item_data in self.series:
            series_item = series_item_data.to_dict()
            series.append(series_item)

        since = self.since.isoformat()

        successes = self.successes

        window = self.window

        execution_time_p50: float | None | Unset
        if isinstance(self.execution_time_p50, Unset):
            execution_time_p50 = UNSET
        else:
            execution_time_p50 = self.execution_time_p50

        execution_time_p95: float | None | Unset
        if isinstance(self.execution_time_p95, Unset):
            execution_time_p95 = UNSET
        else:
            execution_time_p95 = self.execution_time_p95

        last_execution_at: None | str | Unset
        if isinstance(self.last_execution_at, Unset):
            last_execution_at = UNSET
        elif isinstance(self.last_execution_at, datetime.datetime):
            last_execution_at = self.last_execution_at.isoformat()
        else:
            last_execution_at = self.last_execution_at

        last_response_code: int | None | Unset
        if isinstance(self.last_response_code, Unset):
            last_response_code = UNSET
        else:
            last_response_code = self.last_response_code

        success_rate: float | None | Unset
        if isinstance(self.success_rate, Unset):
            success_rate = UNSET
        else:
            success_rate = self.success_rate

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "attempts": attempts,
                "failed_deliveries": failed_deliveries,
                "failures": failures,
                "pending_deliveries": pending_deliveries,
                "series": series,
                "since": since,
                "successes": successes,
                "window": window,
            }
        )
        if execution_time_p50 is not UNSET:
            field_dict["execution_time_p50"] = execution_time_p50
        if execution_time_p95 is not UNSET:
            field_dict["execution_time_p95"] = execution_time_p95
        if last_execution_at is not UNSET:
            field_dict["last_execution_at"] = last_execution_at
        if last_response_code is not UNSET:
            field_dict["last_response_code"] = last_response_code
        if success_rate is not UNSET:
            field_dict["success_rate"] = success_rate

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.stats_point import StatsPoint  # noqa: PLC0415

        d = dict(src_dict)
        attempts = d.pop("attempts")

        failed_deliveries = d.pop("failed_deliveries")

        failures = d.pop("failures")

        pending_deliveries = d.pop("pending_deliveries")

        series = []
        _series = d.pop("series")
        for series_item_data in _series:
            series_item = StatsPoint.from_dict(series_item_data)

            series.append(series_item)

        since = datetime.datetime.fromisoformat(d.pop("since"))

        successes = d.pop("successes")

        window = d.pop("window")

        def _parse_execution_time_p50(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        execution_time_p50 = _parse_execution_time_p50(
            d.pop("execution_time_p50", UNSET)
        )

        def _parse_execution_time_p95(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        execution_time_p95 = _parse_execution_time_p95(
            d.pop("execution_time_p95", UNSET)
        )

        def _parse_last_execution_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                last_execution_at_type_0 = datetime.datetime.fromisoformat(data)

                return last_execution_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        last_execution_at = _parse_last_execution_at(d.pop("last_execution_at", UNSET))

        def _parse_last_response_code(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        last_response_code = _parse_last_response_code(
            d.pop("last_response_code", UNSET)
        )

        def _parse_success_rate(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        success_rate = _parse_success_rate(d.pop("success_rate", UNSET))

        webhook_stats = cls(
            attempts=attempts,
            failed_deliveries=failed_deliveries,
            failures=failures,
            pending_deliveries=pending_deliveries,
            series=series,
            since=since,
            successes=successes,
            window=window,
            execution_time_p50=execution_time_p50,
            execution_time_p95=execution_time_p95,
            last_execution_at=last_execution_at,
            last_response_code=last_response_code,
            success_rate=success_rate,
        )

        webhook_stats.additional_properties = d
        return webhook_stats

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
