from .alerts import CredlySyncIncident, CredlyTokenReminder
from .credly import (
    CredlyBadgeTemplate,
    CredlyIssuanceSnapshot,
    CredlySyncLock,
    CredlySyncRun,
    CredlyWebhookEvent,
)
from .guides import GuideStepBlock, StepGuide
from .issuers import BadgeIssuer
from .pages import BadgeIndexPage, BadgePage
from .purges import FrontendCachePurge
from .skills import BadgeSkill, TaggedBadgeSkill

__all__ = [
    "BadgeIndexPage",
    "BadgeIssuer",
    "BadgePage",
    "BadgeSkill",
    "CredlyBadgeTemplate",
    "CredlyIssuanceSnapshot",
    "CredlySyncIncident",
    "CredlySyncLock",
    "CredlyWebhookEvent",
    "FrontendCachePurge",
    "CredlySyncRun",
    "CredlyTokenReminder",
    "GuideStepBlock",
    "StepGuide",
    "TaggedBadgeSkill",
]
