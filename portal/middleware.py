"""Django's messages and django-simple-history middleware, doing their work only for requests that need it.

A cached public page for an anonymous reader went through every middleware's setup whether the request could use
it or not; profiled per middleware (`python -m ops.bench.stack`, docs/performance.md), these two did work that such
a request throws away: the message storage built for every request (about 20 µs) and simple-history's
request context set and cleared (about 8 µs). What they record is unchanged.
"""

from django.conf import settings
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.messages.storage import default_storage
from django.utils.functional import SimpleLazyObject, empty
from simple_history.middleware import _context_manager


class LazyMessageMiddleware(MessageMiddleware):
    """The message storage is built when something reads or adds a message, not for every request. A response whose
    request never touched its messages leaves the cookie and session as they were, as Django's storage does when
    nothing was read or added (its `update` then writes nothing)."""

    def process_request(self, request):
        request._messages = SimpleLazyObject(lambda: default_storage(request))

    def process_response(self, request, response):
        messages = getattr(request, "_messages", None)
        if isinstance(messages, SimpleLazyObject) and messages._wrapped is empty:
            return response
        return super().process_response(request, response)


SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class SignedInHistoryMiddleware:
    """simple-history's request context, for the requests whose changes it could attribute to a user.

    simple-history names a change's user only when the request's user is authenticated (otherwise it records the
    row's own `by`, or nobody, exactly as with no request: portal.history.request_user_or_by). A GET without a
    session cookie is anonymous from start to end (logging in is a POST), so it gets no context; every other
    request (any POST, anything with a session) gets simple-history's own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in SAFE_METHODS and settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return self.get_response(request)
        with _context_manager(request):
            return self.get_response(request)
