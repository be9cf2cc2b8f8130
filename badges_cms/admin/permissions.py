"""Who may do what on the staff screens.

Synced data belongs to Credly: nobody, not even a superuser, adds, edits or deletes a template
or a sync run in the admin, so their viewsets use a policy that only ever grants "view".
"""

from wagtail.permission_policies import ModelPermissionPolicy

RUN_SYNC = "badges_cms.run_credly_sync"
VIEW_REPORT = "badges_cms.view_issuance_report"
VIEW_SYNC_LOG = "badges_cms.view_credlysyncrun"
VIEW_TEMPLATES = "badges_cms.view_credlybadgetemplate"
READ_ACTIONS = frozenset({"view"})


class ReadOnlyPermissionPolicy(ModelPermissionPolicy):
    def user_has_permission(self, user, action):
        return action in READ_ACTIONS and super().user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        return super().users_with_any_permission([a for a in actions if a in READ_ACTIONS])


def can_run_sync(user):
    return user.has_perm(RUN_SYNC)


def can_view_sync_log(user):
    return user.has_perm(VIEW_SYNC_LOG)


def can_view_report(user):
    return user.has_perm(VIEW_REPORT)


class ReadOnlyViewSetMixin:
    """For ModelViewSets over synced data: no view may link to adding, editing or deleting."""

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            add_url_name=None,
            edit_url_name=None,
            delete_url_name=None,
            history_url_name=None,
            usage_url_name=None,
            **kwargs,
        )
