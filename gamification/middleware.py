from django.template.loader import render_to_string

from gamification import announcements


class ToastMiddleware:
    """Appends the badges and levels announced during an htmx request to its response, as an
    out-of-band swap into base.html's #toasts: the page that was swapped needs to know nothing of
    badges. A redirect, a client redirect or a non-HTML fragment keeps its announcements unshown."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            getattr(request, "htmx", False)
            and announcements.pending()
            and response.status_code == 200
            and not response.streaming
            and response.get("Content-Type", "").startswith("text/html")
            and not any(header in response for header in ("HX-Redirect", "HX-Location", "HX-Refresh"))
        ):
            response.content += render_to_string("gamification/toasts.html", request=request).encode()
        return response
