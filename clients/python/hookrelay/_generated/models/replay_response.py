from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ReplayResponse")


@_attrs_define
class ReplayResponse:
    """A bulk replay and its progress.

    Attributes:
        count (int): Deliveries it covers, counted when it started.
        created (int): Deliveries created so far for missed events.
        created_at (datetime.datetime):
        id (UUID):
        include_missed (bool):
        replayed (int): Existing deliveries sent again so far.
        since (datetime.datetime):
        state (str): `running`, `completed`, `failed` or `cancelled`.
        status (str): `failed` or `all`.
        until (datetime.datetime):
        webhook_id (UUID):
        error (None | str | Unset): Why it failed.
        finished_at (datetime.datetime | None | Unset):
    """

    count: int
    created: int
    created_at: datetime.datetime
    id: UUID
    include_missed: bool
    replayed: int
    since: datetime.datetime
    state: str
    status: str
    until: datetime.datetime
    webhook_id: UUID
    error: None | str | Unset = UNSET
    finished_at: datetime.datetime | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        count = self.count

        created = self.created

        created_at = self.created_at.isoformat()

        id = str(self.id)

        include_missed = self.include_missed

        replayed = self.replayed

        since = self.since.isoformat()

        state = self.state

        status = self.status

        until = self.until.isoformat()

        webhook_id = str(self.webhook_id)

        error: None | str | Unset
        if isinstance(self.error, Unset):
            error = UNSET
        else:
            error = self.error

        finished_at: None | str | Unset
        if isinstance(self.finished_at, Unset):
            finished_at = UNSET
        elif isinstance(self.finished_at, datetime.datetime):
            finished_at = self.finished_at.isoformat()
        else:
            finished_at = self.finished_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "count": count,
                "created": created,
                "created_at": created_at,
                "id": id,
                "include_missed": include_missed,
                "replayed": replayed,
                "since": since,
                "state": state,
                "status": status,
                "until": until,
                "webhook_id": webhook_id,
            }
        )
        if error is not UNSET:
            field_dict["error"] = error
        if finished_at is not UNSET:
            field_dict["finished_at"] = finished_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        count = d.pop("count")

        created = d.pop("created")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        id = UUID(d.pop("id"))

        include_missed = d.pop("include_missed")

        replayed = d.pop("replayed")

        since = datetime.datetime.fromisoformat(d.pop("since"))

        state = d.pop("state")

        status = d.pop("status")

        until = datetime.datetime.fromisoformat(d.pop("until"))

        webhook_id = UUID(d.pop("webhook_id"))

        def _parse_error(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        error = _parse_error(d.pop("error", UNSET))

        def _parse_finished_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                finished_at_type_0 = datetime.datetime.fromisoformat(data)

                return finished_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        finished_at = _parse_finished_at(d.pop("finished_at", UNSET))

        replay_response = cls(
            count=count,
            created=created,
            created_at=created_at,
            id=id,
            include_missed=include_missed,
            replayed=replayed,
            since=since,
            state=state,
            status=status,
            until=until,
            webhook_id=webhook_id,
            error=error,
            finished_at=finished_at,
        )

        replay_response.additional_properties = d
        return replay_response

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
