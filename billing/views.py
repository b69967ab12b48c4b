import json
import logging

from allauth.account.models import EmailAddress
from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from billing import services
from billing.forms import BmacEmailForm
from quizzes.models import Question
from quizzes.services import answers_today, free_daily_limit

logger = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def bmac_webhook(request: HttpRequest) -> JsonResponse:
    """Buy Me a Coffee's webhook: verify the raw body's signature, store the event, process it."""
    signature = request.headers.get(services.SIGNATURE_HEADER, "")
    if not services.signature_is_valid(request.body, signature, settings.BMAC_WEBHOOK_SECRETS):
        logger.warning("BMAC webhook refused: %s signature", "bad" if signature else "missing")
        return JsonResponse({"error": "Invalid signature."}, status=401)
    try:
        envelope = json.loads(request.body)
    except ValueError:
        return JsonResponse({"error": "The body is not JSON."}, status=400)
    if not isinstance(envelope, dict):
        return JsonResponse({"error": "The body is not a JSON object."}, status=400)
    try:
        event, created = services.receive_event(envelope=envelope)
    except services.InvalidEvent as error:
        return JsonResponse({"error": str(error)}, status=400)
    return JsonResponse({"status": event.status, "duplicate": not created})


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def premium(request: HttpRequest) -> HttpResponse:
    """What premium gives and how to get it; for a signed-in learner also their plan, today's free
    questions, the emails their Buy Me a Coffee payments are matched by and a form to add one."""
    context = {
        "creator_url": settings.BMAC_CREATOR_URL,
        "days_per_coffee": settings.BMAC_PREMIUM_DAYS_PER_COFFEE,
        "grace_days": settings.BMAC_GRACE_DAYS,
        "free_limit": free_daily_limit(),
        "premium_question_count": Question.objects.active().filter(is_premium=True).count(),
    }
    user = request.user
    if not user.is_authenticated:  # a visitor or a guest: what premium gives and a sign-up prompt
        if request.method == "POST":
            return redirect_to_login(request.get_full_path())
        return render(request, "billing/premium.html", context)

    form = BmacEmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # allauth's limit on adding addresses (10 a minute per account), as on its own email page.
        if limited := ratelimit.consume_or_429(request, action="manage_email"):
            return limited
        address = services.add_payment_email(request=request, user=user, email=form.cleaned_data["email"])
        message = payment_email_message(address)
        if not request.htmx:
            messages.success(request, message)
            return redirect("premium")
        form = BmacEmailForm()
        context["saved_message"] = message
    context.update(
        form=form,
        payment_emails=EmailAddress.objects.filter(user=user).order_by("-verified", "email"),
        subscription=getattr(user, "subscription", None),
        answered_today=answers_today(user),
    )
    name = "billing/premium.html#plan" if request.htmx else "billing/premium.html"
    return render(request, name, context, status=422 if form.errors else 200)


def payment_email_message(address) -> str:
    """The same words whether the address is new or another account's (no enumeration)."""
    if address.verified:
        return f"{address.email} is confirmed: payments made with it are matched to your account."
    return (
        f"We sent a confirmation link to {address.email}. Payments made with it are applied to your "
        "account once you follow the link."
    )
