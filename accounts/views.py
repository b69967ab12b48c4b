from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts.forms import TimeZoneForm


@login_required
def account(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = TimeZoneForm(request.POST or None, initial={"time_zone": user.time_zone})
    if request.method == "POST" and form.is_valid():
        user.time_zone = form.cleaned_data["time_zone"]
        user.save(update_fields=["time_zone", "updated_at"])
        messages.success(request, f"Time zone saved: {user.time_zone}.")
        return redirect("account")
    return render(request, "accounts/account.html", {"form": form})
