from drills.views import calendar, reports

app_name = "drills"

urlpatterns = [
    *calendar.urlpatterns,
    *reports.urlpatterns,
]
