from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.preset_name import PresetName

T = TypeVar("T", bound="ImportRequest")


@_attrs_define
class ImportRequest:
    """Body of `POST /v1/event-types/import`.

    Attributes:
        preset (PresetName): A product's preset: its event types, groups and examples.
    """

    preset: PresetName

    def to_dict(self) -> dict[str, Any]:
        preset = self.preset.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "preset": preset,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        preset = PresetName(d.pop("preset"))

        import_request = cls(
            preset=preset,
        )

        return import_request
