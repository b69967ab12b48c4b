from django import forms
from django.contrib import admin
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import models
from django.urls import path

from accounts.models import User


class UserChangeForm(auth_forms.UserChangeForm):
    """The password is shown as a read-only hash summary with a link to the password form."""

    class Meta(auth_forms.UserChangeForm.Meta):
        model = User


class UserCreationForm(auth_forms.AdminUserCreationForm):
    class Meta(auth_forms.AdminUserCreationForm.Meta):
        model = User
        fields = ["username", "email", "role"]


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    """Not Django's UserAdmin: it expects first_name and an is_staff column, and our is_staff is
    the admin role. Only its password view is reused, at the URL the password field links to."""

    form = UserChangeForm
    add_form = UserCreationForm
    change_password_form = auth_forms.AdminPasswordChangeForm
    change_user_password_template = None
    user_change_password = DjangoUserAdmin.user_change_password

    list_display = ["username", "email", "role", "is_active", "is_superuser", "created_at"]
    list_filter = ["role", "is_active", "is_superuser"]
    search_fields = ["username", "email"]
    ordering = ["username"]
    readonly_fields = ["last_login", "created_at", "updated_at"]
    filter_horizontal = ["groups", "user_permissions"]
    formfield_overrides = {models.TextField: {"widget": forms.TextInput(attrs={"class": "vTextField"})}}
    fieldsets = [
        (None, {"fields": ["username", "email", "password"]}),
        ("Access", {"fields": ["role", "is_active", "is_superuser", "groups", "user_permissions"]}),
        ("Profile", {"fields": ["keycloak_id", "time_zone", "last_login", "created_at", "updated_at"]}),
    ]
    add_fieldsets = [(None, {"fields": ["username", "email", "role", "usable_password", "password1", "password2"]})]

    def get_fieldsets(self, request, obj=None):
        return self.add_fieldsets if obj is None else super().get_fieldsets(request, obj)

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = self.add_form
        return super().get_form(request, obj, **kwargs)

    def get_urls(self):
        password_view = self.admin_site.admin_view(self.user_change_password)
        return [path("<id>/password/", password_view, name="accounts_user_password_change"), *super().get_urls()]

    def lookup_allowed(self, lookup, value, request=None):
        return not lookup.startswith("password") and super().lookup_allowed(lookup, value, request)
