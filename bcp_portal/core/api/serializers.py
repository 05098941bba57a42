"""The API's model serializer: DRF's, finding its readable fields once per serializer.

DRF's `to_representation` walks the serializer's field mapping anew for every row it writes
out (a generator over a mapping view: three Python calls a field), half the time a
list of fifty rows spends serialising. The readable fields are the same for every row one
serializer writes (its `fields` are built once), so `ModelSerializer` here keeps them as a
list the first time. Everything else is DRF's.
"""

from __future__ import annotations

from functools import cached_property

from rest_framework import serializers


class ModelSerializer(serializers.ModelSerializer):
    @cached_property
    def _readable_fields(self) -> list[serializers.Field]:
        return [field for field in self.fields.values() if not field.write_only]
