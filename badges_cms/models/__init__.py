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
from .pages import BadgeIndexPage, BadgePage, BadgeSkill, TaggedBadgeSkill
from .purges import FrontendCachePurge

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
