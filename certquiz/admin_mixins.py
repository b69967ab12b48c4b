class ViewOnlyAdminMixin:
    """For rows the app writes itself (history, webhook events, payments, statistics, progress):
    the admin shows them and adds or changes nothing; `allow_delete` lets staff delete one."""

    allow_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return self.allow_delete and super().has_delete_permission(request, obj)
