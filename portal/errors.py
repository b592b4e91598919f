"""The error pages of the whole site (config.urls names them as handler400 ... handler500) and the CSRF refusal."""

from django.http import HttpResponseBadRequest, HttpResponseServerError
from django.shortcuts import render
from django.template import loader


def error_400(request, exception=None):
    # Rendered without the request context: the request itself is what was wrong (e.g. a Host we do not serve).
    return HttpResponseBadRequest(loader.get_template("errors/400.html").render())


def error_403(request, exception=None):
    return render(request, "errors/403.html", status=403)


def error_404(request, exception=None):
    return render(request, "errors/404.html", status=404)


def error_500(request):
    # Rendered without the request context: whatever broke may be in a context processor.
    return HttpResponseServerError(loader.get_template("errors/500.html").render())


def csrf_failure(request, reason=""):
    return render(request, "403_csrf.html", status=403)
