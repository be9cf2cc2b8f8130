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
from .pathways import Pathway, PathwayBadge
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
    "Pathway",
    "PathwayBadge",
    "CredlySyncRun",
    "CredlyTokenReminder",
    "GuideStepBlock",
    "StepGuide",
    "TaggedBadgeSkill",
]
