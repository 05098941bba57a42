from django.urls import path

from bcp_portal.contacts import views

app_name = "contacts"

urlpatterns = [
    path("contacts/", views.contact_list, name="contact-list"),
    path("contacts/new/", views.contact_create, name="contact-create"),
    path("contacts/<int:pk>/", views.contact_detail, name="contact-detail"),
    path("contacts/<int:pk>/edit/", views.contact_edit, name="contact-edit"),
]
