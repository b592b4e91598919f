"""Any sequence of logins (account, address, right or wrong password), unlocks and clock advances: the account is
locked exactly when the per-username ceiling was reached since its last unlock within the window; a locked account
never logs in; the per-address lock-out of django-axes answers as before."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.db import transaction
from django.db.models import F
from django.test import Client
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from portal.account_lock import login_unlock
from portal.models import SecurityEvent, User
from tests.properties import examples

pytestmark = [pytest.mark.security, pytest.mark.property]

USERS = ["hongdan", "donghai"]
ADDRESSES = ["203.0.113.1", "203.0.113.2", "198.51.100.3"]
AXES_LIMIT, AXES_COOLOFF = 3, 15  # failures, minutes
CEILING, WINDOW = 4, 60  # failures, minutes
STEP = 7  # minutes per clock tick: never a multiple landing on 15 or 60, so no step sits on a boundary


class LoginMachine(RuleBasedStateMachine):
    """The model: per account, the times of its failures and its lock; per account and address, axes' count."""

    admin = None

    def __init__(self):
        super().__init__()
        self.atomic = transaction.atomic()
        self.atomic.__enter__()  # each run starts from the test's database and leaves it as it found it
        self.now = 0  # model minutes
        self.failures = {u: [] for u in USERS}  # failure times since the last unlock
        self.locked = dict.fromkeys(USERS, False)
        self.axes = {}  # (user, address) -> [count, time of the last failure]

    def teardown(self):
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)

    def _axes_count(self, key):
        count, last = self.axes.get(key, (0, None))
        return 0 if last is None or self.now - last > AXES_COOLOFF else count

    def _fail(self, user, address):
        self.axes[(user, address)] = [self._axes_count((user, address)) + 1, self.now]
        if self.locked[user]:
            return False
        self.failures[user].append(self.now)
        recent = [t for t in self.failures[user] if self.now - t < WINDOW]
        if len(recent) >= CEILING:
            self.locked[user] = True
            return True
        return False

    # Mostly wrong passwords for one account, so that sequences reach both locks and then unlock and go on.
    @rule(
        user=st.sampled_from([USERS[0], USERS[0], USERS[1]]),
        address=st.sampled_from(ADDRESSES),
        right=st.sampled_from([False, False, True]),
    )
    def attempt(self, user, address, right):
        key = (user, address)
        if self.locked[user]:
            self._fail(user, address)
            expected = 403
        elif self._axes_count(key) >= AXES_LIMIT:
            expected = 403 if self._fail(user, address) else 429
        elif right:
            self.axes.pop(key, None)
            expected = 302
        else:
            locks_account = self._fail(user, address)
            expected = 403 if locks_account else (429 if self._axes_count(key) >= AXES_LIMIT else 200)
        client = Client()
        password = django_settings.DEMO_PASSWORD if right else "sai-mat-khau"
        response = client.post(
            "/dang-nhap/",
            {"username": user, "password": password},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=address,
        )
        assert response.status_code == expected, (user, address, right, self.now)
        assert ("_auth_user_id" in client.session) == (expected == 302)

    @rule(user=st.sampled_from(USERS))
    def unlock(self, user):
        login_unlock(user=User.objects.get(username=user), by=self.admin)
        if self.locked[user]:
            self.locked[user] = False
            self.failures[user] = []

    @precondition(lambda self: any(self.locked.values()))
    @rule(data=st.data())
    def unlock_a_locked_account(self, data):
        self.unlock(data.draw(st.sampled_from([u for u in USERS if self.locked[u]])))

    @rule(ticks=st.integers(min_value=1, max_value=9))
    def advance_the_clock(self, ticks):
        """Time passes: every stored time moves back, as if it had been written that much earlier."""
        delta = timedelta(minutes=STEP * ticks)
        self.now += STEP * ticks
        SecurityEvent.objects.update(created_at=F("created_at") - delta)
        AccessAttempt.objects.update(attempt_time=F("attempt_time") - delta)
        User.objects.exclude(login_locked_at=None).update(login_locked_at=F("login_locked_at") - delta)

    @invariant()
    def an_account_is_locked_exactly_when_the_model_says(self):
        stored = dict(User.objects.filter(username__in=USERS).values_list("username", "login_locked_at"))
        assert {u: stored[u] is not None for u in USERS} == self.locked


def test_any_sequence_of_logins_unlocks_and_clock_ticks_keeps_both_locks_right(demo, settings_override):
    LoginMachine.admin = User.objects.get(username="quantri")
    run_state_machine_as_test(LoginMachine, settings=settings(max_examples=examples(25), stateful_step_count=25))


@pytest.fixture
def settings_override(settings):
    settings.AXES_FAILURE_LIMIT = AXES_LIMIT
    settings.AXES_COOLOFF_TIME = timedelta(minutes=AXES_COOLOFF)
    settings.PORTAL_ACCOUNT_FAILURE_LIMIT = CEILING
    settings.PORTAL_ACCOUNT_FAILURE_WINDOW = timedelta(minutes=WINDOW)
    return settings
