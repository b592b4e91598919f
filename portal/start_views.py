"""`/lam-viec/`: the stable address of each user's start page, where signing in leads (LOGIN_REDIRECT_URL)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from .navigation import start_url


@login_required
def start(request: HttpRequest) -> HttpResponse:
    """Send the user to the start page of their role (the apps register them), or the public home page."""
    return redirect(start_url(request.user))
