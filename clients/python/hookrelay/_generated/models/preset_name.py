from enum import StrEnum


class PresetName(StrEnum):
    CRM = "crm"
    CRM_SCHEDULER = "crm-scheduler"
    MAILING = "mailing"
    PUBLISHING = "publishing"
    SOCIAL_SUITE = "social-suite"

    def __str__(self) -> str:
        return str(self.value)
