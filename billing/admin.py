import json

from django import forms
from django.contrib import admin
from django.contrib import messages
from django.db import models
from django.utils import timezone
from django.utils.html import format_html

from billing import services
from billing.models import Payment, Subscription, WebhookEvent
from certquiz.admin_mixins import ViewOnlyAdminMixin


class PremiumNowFilter(admin.SimpleListFilter):
    title = "premium now"
    parameter_name = "premium_now"

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request, queryset):
        granting = Subscription.objects.granting_premium(timezone.now()).values("pk")
        if self.value() == "yes":
            return queryset.filter(pk__in=granting)
        if self.value() == "no":
            return queryset.exclude(pk__in=granting)
        return queryset


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = [
        "user", "plan", "status", "premium_now", "buy_me_a_coffee_email", "start_date", "end_date", "auto_renew"
    ]
    list_filter = [PremiumNowFilter, "plan", "status", "auto_renew", "end_date"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__email", "buy_me_a_coffee_email"]
    ordering = ["-start_date"]
    autocomplete_fields = ["user"]
    readonly_fields = ["created_at", "updated_at", "membership_until", "last_started_at", "last_cancelled_at"]
    formfield_overrides = {models.TextField: {"widget": forms.TextInput(attrs={"class": "vTextField"})}}

    @admin.display(boolean=True, description="premium now")
    def premium_now(self, subscription):
        return subscription.grants_premium()

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.sync_role(obj)  # the learner's role follows the subscription, as after a webhook


@admin.register(WebhookEvent)
class WebhookEventAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    """Events arrive only through the webhook; the admin shows them as received and can only
    process again the ones that failed or wait (the same service function as the webhook)."""

    list_display = [
        "event_type", "status", "attempts", "supporter_email", "external_event_id", "created_at", "processed_at"
    ]
    list_filter = ["status", "event_type", ("processed_at", admin.EmptyFieldListFilter)]
    search_fields = ["external_event_id", "event_type", "supporter_email"]
    date_hierarchy = "created_at"
    fields = [
        "event_type", "status", "attempts", "error", "supporter_email", "external_event_id", "created_at",
        "processed_at",
        "formatted_payload",
    ]
    readonly_fields = ["created_at", "formatted_payload"]
    actions = ["reprocess"]

    @admin.action(description="Process the selected failed or pending events again", permissions=["reprocess"])
    def reprocess(self, request, queryset):
        events = services.reprocess_events(queryset.retryable().order_by("created_at"))
        counts = {}
        for event in events:
            counts[event.status] = counts.get(event.status, 0) + 1
        summary = ", ".join(f"{count} {status}" for status, count in sorted(counts.items())) or "nothing to do"
        self.message_user(request, f"Processed again: {summary}.", messages.SUCCESS if events else messages.INFO)

    def has_reprocess_permission(self, request):
        return request.user.has_perm("billing.change_webhookevent")

    @admin.display(description="payload")
    def formatted_payload(self, event):
        return format_html("<pre>{}</pre>", json.dumps(event.payload, indent=2, sort_keys=True))


@admin.register(Payment)
class PaymentAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    """One-off payments as credited (and refunded) from the webhook events: read only."""

    list_display = ["key", "user", "premium_added", "credited_by", "refunded_by", "created_at"]
    list_select_related = ["user", "credited_by", "refunded_by"]
    search_fields = ["key", "user__username", "user__email"]
    date_hierarchy = "created_at"
