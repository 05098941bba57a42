"""The base of every model serializer in the API.

`PortalModelSerializer` gives each writable text field backed by a single-line model field
(`models.CharField` and its kinds, choices aside) the `single_line` validator, as
`PortalFormMixin` does for the pages: a title with a line break is a 400 naming the field,
never a reminder that cannot be sent.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from rest_framework import serializers

from bcp_portal.core.text import single_line


class PortalModelSerializer(serializers.ModelSerializer):
    def get_fields(self) -> dict[str, Any]:
        fields: dict[str, Any] = super().get_fields()
        model: type[models.Model] = self.Meta.model
        for name, field in fields.items():
            if field.read_only or not isinstance(field, serializers.CharField):
                continue
            try:
                # Not bound yet: `source` is set only for a field declared with one.
                model_field = model._meta.get_field(field.source or name)
            except FieldDoesNotExist:
                continue
            if isinstance(model_field, models.CharField) and not model_field.choices:
                field.validators.append(single_line)
        return fields
