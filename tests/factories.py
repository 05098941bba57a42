"""Factories build valid objects by default; every domain model has one."""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from bcp_portal.catalogue.models import Service
from bcp_portal.contacts.models import Contact
from bcp_portal.core.models import OutboxMessage


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            for name in extracted:
                self.groups.add(Group.objects.get(name=name))
        if create:
            self.save()


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    name = factory.Faker("name")
    kind = Contact.Kind.VENDOR
    organisation = factory.Faker("company")
    email = factory.Faker("email")


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    name = factory.Sequence(lambda n: f"Service {n}")
    kind = Service.Kind.SERVICE
    business_impact = Service.Impact.IMPORTANT
    recovery_priority = Service.Priority.P1
    region = "eu-west-1"
    rto_target_minutes = 240
    rto_max_minutes = 1440
    rpo_target_minutes = 60
    rpo_max_minutes = 240


class OutboxMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutboxMessage

    dedup_key = factory.Sequence(lambda n: f"test-message-{n}")
    to_user = factory.SubFactory(UserFactory)
    subject = "A test message"
    body = "Hello."
