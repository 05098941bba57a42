"""Validated list filters: the base FilterSet and the fields every app's `filters.py` shares.

A list page and its API use one FilterSet class. It parses the query string into typed values
(an id in range, a month, a quarter, a choice among the allowed ones) and hands them to the
app's selector (`filter_queryset`), so filtering itself stays in `selectors.py`. A value that
does not parse is a form error on that parameter: the page renders the filter form showing it
with HTTP 400, the API answers 400 in the error shape naming the parameter
(`DjangoFilterBackend` raises a DRF ValidationError keyed by parameter). Nothing reaches the
database that the database would refuse (an id beyond its integer range, a NUL byte, a year
the calendar cannot hold), so no filter answers 500.

An empty value means "no filter", as a form's "All …" option sends it. A parameter given more
than once is an error: the list cannot tell which one was meant.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

import django_filters  # type: ignore[import-untyped]  # django-filter ships no types
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet

from bcp_portal.core.limits import MAX_YEAR, MIN_YEAR, SEARCH_MAX_LENGTH

# PostgreSQL's integer and bigint: an id beyond its column's range is refused by the database.
INT_MAX = 2**31 - 1
BIGINT_MAX = 2**63 - 1
TRUE_VALUES = ("1", "true", "yes", "on")
FALSE_VALUES = ("0", "false", "no", "off")

# ASCII digits only: `\d` alone also matches other scripts' digits.
_MONTH_RE = re.compile(r"^(?P<year>\d{4})-(?P<month>\d{2})$", re.ASCII)
_DAY_RE = re.compile(r"^(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})$", re.ASCII)
_QUARTER_RE = re.compile(r"^(?P<year>\d{4})-Q(?P<quarter>\d)$", re.ASCII)


def filtered_by(
    filterset: type[PortalFilterSet], *, without: tuple[str, ...] = ()
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Mark a list page with the FilterSet it reads (less the filters in `without`).

    Only a label: the view still builds its FilterSet. `tests/test_list_filters.py` finds
    every marked page in the URL conf (the API's lists by their `filterset_class`) and feeds
    each filter malformed values, so a new list or parameter is tested without listing it.
    The mark survives other decorators (functools.wraps copies it).
    """

    def mark(view: Callable[..., Any]) -> Callable[..., Any]:
        view.filterset_class = filterset  # type: ignore[attr-defined]  # read by the test
        view.filterset_without = without  # type: ignore[attr-defined]
        return view

    return mark


def pk_max(model: type[models.Model]) -> int:
    """The largest id the model's primary key column holds."""
    field = model._meta.pk
    return (
        BIGINT_MAX if isinstance(field, models.BigAutoField | models.BigIntegerField) else INT_MAX
    )


def _allowed(values: Iterable[str]) -> str:
    return ", ".join(f"“{value}”" for value in values if value)


class IdField(forms.CharField):
    """A positive id no larger than its column holds, or one of a few keywords ("me", "none").

    Cleans to an int, a keyword, or None when empty.
    """

    def __init__(
        self, *, max_id: int = BIGINT_MAX, keywords: tuple[str, ...] = (), **kwargs: Any
    ) -> None:
        self.max_id = max_id
        self.keywords = keywords
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> int | str | None:
        value = super().clean(value)
        if value in (None, ""):
            return None
        if value in self.keywords:
            return value
        words = " or ".join(f"“{word}”" for word in self.keywords)
        expected = f"a whole number from 1 to {self.max_id}" + (f", or {words}" if words else "")
        if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= self.max_id:
            raise ValidationError(f"Give {expected}.", code="invalid")
        return int(value)


class TextCodeField(forms.CharField):
    """An optional parameter written as a short code ('2027-01', '2027-Q1'): Django's text
    checks (length, no NUL byte), then `parse` turns a non-empty value into what it means;
    `EMPTY` is what an absent or empty one cleans to."""

    EMPTY: Any = None

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Any:
        value = super().clean(value)
        return self.EMPTY if value in (None, "") else self.parse(value)

    def parse(self, value: str) -> Any:
        raise NotImplementedError


class MonthField(TextCodeField):
    """'2027-01' to the first of that month, years MIN_YEAR to MAX_YEAR."""

    def parse(self, value: str) -> date:
        match = _MONTH_RE.match(value)
        if (
            not match
            or not MIN_YEAR <= int(match["year"]) <= MAX_YEAR
            or not 1 <= int(match["month"]) <= 12
        ):
            raise ValidationError(
                f"Give a month as YYYY-MM, from {MIN_YEAR}-01 to {MAX_YEAR}-12.", code="invalid"
            )
        return date(int(match["year"]), int(match["month"]), 1)


class DayField(TextCodeField):
    """'2027-01-31' to a date, years MIN_YEAR to MAX_YEAR; None when empty."""

    def parse(self, value: str) -> date:
        match = _DAY_RE.match(value)
        problem = f"Give a day as YYYY-MM-DD, from {MIN_YEAR}-01-01 to {MAX_YEAR}-12-31."
        if not match or not MIN_YEAR <= int(match["year"]) <= MAX_YEAR:
            raise ValidationError(problem, code="invalid")
        try:
            return date(int(match["year"]), int(match["month"]), int(match["day"]))
        except ValueError:
            raise ValidationError(problem, code="invalid") from None


class QuarterField(TextCodeField):
    """'2027-Q1' (the first quarter of 2027), years MIN_YEAR to MAX_YEAR; cleans to the text."""

    EMPTY = ""

    def parse(self, value: str) -> str:
        match = _QUARTER_RE.match(value)
        if (
            not match
            or not MIN_YEAR <= int(match["year"]) <= MAX_YEAR
            or not 1 <= int(match["quarter"]) <= 4
        ):
            raise ValidationError(
                f"Give a quarter as YYYY-Qn (n from 1 to 4), from {MIN_YEAR}-Q1 to {MAX_YEAR}-Q4.",
                code="invalid",
            )
        return value


class YesNoField(forms.CharField):
    """A switch: 1/true/yes/on or 0/false/no/off (lower case, as the API schema lists
    them); None when absent or empty."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 10)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> bool | None:
        value = super().clean(value)
        if value in (None, ""):
            return None
        if value in TRUE_VALUES:
            return True
        if value in FALSE_VALUES:
            return False
        raise ValidationError("Give 1 or 0 (true or false).", code="invalid")


class StrictChoiceField(forms.ChoiceField):
    """A choice whose error names what is allowed."""

    def validate(self, value: Any) -> None:
        try:
            super().validate(value)
        except ValidationError as exc:
            if exc.code != "invalid_choice":
                raise
            pairs: Iterable[tuple[Any, Any]] = self.choices  # type: ignore[assignment]  # pairs here
            raise ValidationError(
                f"Choose one of {_allowed(str(key) for key, _ in pairs)}.",
                code="invalid_choice",
            ) from exc


class KeyField(forms.SlugField):
    """The slug key of a row in `queryset` (e.g. a drill type's key); cleans to the key.

    One query when a key is given, none otherwise; the error lists the keys there are.
    """

    def __init__(
        self, *, queryset: QuerySet[Any], to_field_name: str = "key", **kwargs: Any
    ) -> None:
        self.queryset = queryset
        self.to_field_name = to_field_name
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 64)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        value = super().clean(value)
        if not value:
            return ""
        if not self.queryset.filter(**{self.to_field_name: value}).exists():
            keys = self.queryset.order_by(self.to_field_name).values_list(
                self.to_field_name, flat=True
            )
            raise ValidationError(f"Choose one of {_allowed(keys)}.", code="invalid_choice")
        return value


class KeyFilter(django_filters.CharFilter):
    field_class = KeyField


class IdFilter(django_filters.CharFilter):
    field_class = IdField


class MonthFilter(django_filters.CharFilter):
    field_class = MonthField


class DayFilter(django_filters.CharFilter):
    field_class = DayField


class QuarterFilter(django_filters.CharFilter):
    field_class = QuarterField


class YesNoFilter(django_filters.BooleanFilter):
    field_class = YesNoField


class ChoiceFilter(django_filters.ChoiceFilter):
    """One of `choices` (a list of pairs, or a callable giving one); the error lists them."""

    field_class = StrictChoiceField


class SearchFilter(django_filters.CharFilter):
    """Free text: at most SEARCH_MAX_LENGTH characters, no NUL byte (Django's CharField)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", SEARCH_MAX_LENGTH)
        super().__init__(*args, **kwargs)


class FilterForm(forms.Form):
    """Refuses a parameter given more than once: the list cannot tell which was meant."""

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        getlist = getattr(self.data, "getlist", None)
        if getlist is not None:
            for name in self.fields:
                if len(getlist(self.add_prefix(name))) > 1:
                    self.add_error(name, f"Give “{name}” once.")
        return cleaned


class PortalFilterSet(django_filters.FilterSet):
    """Base of every list's FilterSet: validated values go to the app's selector.

    Subclasses declare their filters and implement `apply(queryset, values)`, where `values`
    holds every declared filter's cleaned value (None or "" when absent). `only` keeps a
    subset of the filters (a page that does not offer one ignores it).
    """

    class Meta:
        form = FilterForm

    def __init__(
        self,
        data: Any = None,
        queryset: QuerySet[Any] | None = None,
        *,
        only: Iterable[str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(data, queryset, **kwargs)
        if only is not None:
            keep = set(only)
            filters: dict[str, Any] = self.filters  # type: ignore[has-type]  # django-filter is untyped
            self.filters = {name: f for name, f in filters.items() if name in keep}

    @property
    def user(self) -> Any:
        return getattr(self.request, "user", None)

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        values = {name: self.form.cleaned_data.get(name) for name in self.filters}
        return self.apply(queryset, values)

    def apply(self, queryset: QuerySet[Any], values: dict[str, Any]) -> QuerySet[Any]:
        # Every subclass overrides this.
        raise NotImplementedError

    @staticmethod
    def first(values: dict[str, Any], *names: str, default: Any = "") -> Any:
        """The first of several aliases (`q` on pages, `search` in the API) that is given."""
        for name in names:
            if values.get(name) not in (None, ""):
                return values[name]
        return default
