from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="ReplayRequest")


@_attrs_define
class ReplayRequest:
    """Body of `POST /v1/webhooks/{id}/replay`.

    Attributes:
        since (datetime.datetime): An instant within the years 0001-9999, built only through [`Timestamp::parse`] or
            deserialisation (which checks the same range).
        include_missed (bool | Unset): Also deliver the events of the window that matched the webhook's types but were
            never sent to it (it was disabled, or created later).
        status (None | str | Unset): `failed` (default): deliveries that ended failed; `all`: every finished delivery.
        until (datetime.datetime | None | Unset):
    """

    since: datetime.datetime
    include_missed: bool | Unset = UNSET
    status: None | str | Unset = UNSET
    until: datetime.datetime | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        since = self.since.isoformat()

        include_missed = self.include_missed

        status: None | str | Unset
        if isinstance(self.status, Unset):
            status = UNSET
        else:
            status = self.status

        until: None | str | Unset
        if isinstance(self.until, Unset):
            until = UNSET
        elif isinstance(self.until, datetime.datetime):
            until = self.until.isoformat()
        else:
            until = self.until

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "since": since,
            }
        )
        if include_missed is not UNSET:
            field_dict["include_missed"] = include_missed
        if status is not UNSET:
            field_dict["status"] = status
        if until is not UNSET:
            field_dict["until"] = until

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        since = datetime.datetime.fromisoformat(d.pop("since"))

        include_missed = d.pop("include_missed", UNSET)

        def _parse_status(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        status = _parse_status(d.pop("status", UNSET))

        def _parse_until(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                until_type_1 = datetime.datetime.fromisoformat(data)

                return until_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        until = _parse_until(d.pop("until", UNSET))

        replay_request = cls(
            since=since,
            include_missed=include_missed,
            status=status,
            until=until,
        )

        return replay_request
