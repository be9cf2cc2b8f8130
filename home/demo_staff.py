"""The demo's staff: the groups that work on badges, and the review every new badge goes through.

- Editors write badges: add and edit pages below the badge index (their changes go through
  review), add and edit issuers, step guides and pathways (a pathway as a draft), and see the
  synced Credly templates (from which they may import a draft).
- Moderators review them: the same, plus publish, lock and unlock, delete snippets, and publish
  pathways.
- Badge managers run the programme: they edit badges like editors, read the sync log and the
  Credly settings, press Sync now, read and export the issuance report, and get the sync-health
  emails (badges_cms.credly.alerts). They alone read, export and delete earners' feedback (Forms in
  the admin): the answers and email addresses are for the people who run the programme.
  Editors and Moderators may still edit the feedback page (Wagtail's groups edit every page),
  but not see what earners sent (badges_cms.feedback.permissions).

The "Badge review" workflow (one approval task for the Moderators) is assigned to the badge
index, so a new badge goes draft -> review -> published.

Idempotent and additive: a second run creates nothing, and nothing is ever taken away. Wagtail's
own Editors and Moderators groups keep what they already have; a badge index an administrator
gave another workflow keeps it.
"""

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

EDITORS, MODERATORS, BADGE_MANAGERS = "Editors", "Moderators", "Badge managers"
WORKFLOW_NAME = "Badge review"
TASK_NAME = "Moderators approve the badge"

SNIPPETS = ("badgeissuer", "stepguide", "pathway")

# Page permissions on the badge index (codenames on wagtailcore.Page).
PAGE_PERMISSIONS = {
    EDITORS: ["add_page", "change_page"],
    MODERATORS: ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"],
    BADGE_MANAGERS: ["add_page", "change_page"],
}

# Model permissions, "app_label.codename".
MODEL_PERMISSIONS = {
    EDITORS: [
        "wagtailadmin.access_admin",
        *(f"badges_cms.{action}_{model}" for model in SNIPPETS for action in ("add", "change")),
        "badges_cms.view_credlybadgetemplate",
    ],
    MODERATORS: [
        "wagtailadmin.access_admin",
        *(
            f"badges_cms.{action}_{model}"
            for model in SNIPPETS
            for action in ("add", "change", "delete")
        ),
        "badges_cms.publish_pathway",
        "badges_cms.view_credlybadgetemplate",
    ],
    BADGE_MANAGERS: [
        "wagtailadmin.access_admin",
        *(f"badges_cms.view_{model}" for model in SNIPPETS),
        "badges_cms.view_credlybadgetemplate",
        "badges_cms.view_credlysyncrun",
        "badges_cms.run_credly_sync",
        "badges_cms.view_issuance_report",
        # Wagtail's submission screens let whoever sees the answers delete them; deleting is
        # part of the job too (answers sent by mistake, a request to be forgotten).
        *(f"badges_feedback.{action}_badgefeedbacksubmission" for action in ("view", "delete")),
    ],
}

# Editing a badge means choosing (and uploading) its image: what Wagtail gives its own groups.
IMAGE_PERMISSIONS = ["add_image", "choose_image"]


@transaction.atomic
def load_staff(index_page):
    """Set up the groups and the workflow for this badge index; returns lines for the output."""
    created = {"groups": 0, "permissions": 0, "workflows": 0}
    groups = {}
    for name in (EDITORS, MODERATORS, BADGE_MANAGERS):
        groups[name], new = Group.objects.get_or_create(name=name)
        created["groups"] += new
        created["permissions"] += grant_model_permissions(groups[name], MODEL_PERMISSIONS[name])
        created["permissions"] += grant_page_permissions(
            groups[name], index_page, PAGE_PERMISSIONS[name]
        )
        created["permissions"] += grant_image_permissions(groups[name])
    workflow_note = assign_workflow(index_page, groups[MODERATORS], created)
    lines = [
        f"staff: {created['groups']} groups, {created['permissions']} permissions and "
        f"{created['workflows']} workflows created"
    ]
    return lines + ([workflow_note] if workflow_note else [])


def grant_model_permissions(group, names):
    wanted = []
    for name in names:
        app_label, codename = name.split(".")
        wanted.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    missing = [permission for permission in wanted if permission not in group.permissions.all()]
    group.permissions.add(*missing)
    return len(missing)


def grant_page_permissions(group, page, codenames):
    added = 0
    for codename in codenames:
        permission = Permission.objects.get(
            content_type__app_label="wagtailcore", codename=codename
        )
        _, new = GroupPagePermission.objects.get_or_create(
            group=group, page=page, permission=permission
        )
        added += new
    return added


def grant_image_permissions(group):
    root = Collection.get_first_root_node()
    image_type = ContentType.objects.get(app_label="wagtailimages", model="image")
    added = 0
    for codename in IMAGE_PERMISSIONS:
        permission = Permission.objects.get(content_type=image_type, codename=codename)
        _, new = GroupCollectionPermission.objects.get_or_create(
            group=group, collection=root, permission=permission
        )
        added += new
    return added


def assign_workflow(index_page, moderators, created):
    """The "Badge review" workflow on the badge index; a note if the index has another one."""
    workflow, new = Workflow.objects.get_or_create(name=WORKFLOW_NAME, defaults={"active": True})
    created["workflows"] += new
    if not workflow.workflow_tasks.exists():
        task = GroupApprovalTask.objects.filter(name=TASK_NAME).first()
        if task is None:
            task = GroupApprovalTask.objects.create(name=TASK_NAME)
            task.groups.set([moderators])
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    assigned = WorkflowPage.objects.filter(page=index_page).select_related("workflow").first()
    if assigned is None:
        WorkflowPage.objects.create(page=index_page, workflow=workflow)
    elif assigned.workflow_id != workflow.pk:
        return (
            f"Left the workflow “{assigned.workflow.name}” on “{index_page.title}” as an "
            f"administrator set it, instead of “{WORKFLOW_NAME}”."
        )
    return None
