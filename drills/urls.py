from django.urls import path

from drills.views import feeds, planning, reports

app_name = "drills"

urlpatterns = [
    path("drills/", planning.calendar, name="calendar"),
    path("drills/list/", planning.drill_list, name="drill-list"),
    path("drills/new/", planning.drill_create, name="drill-create"),
    path("drills/<int:pk>/", planning.drill_detail, name="drill-detail"),
    path("drills/<int:pk>/edit/", planning.drill_edit, name="drill-edit"),
    path("drills/<int:pk>/cancel/", planning.drill_cancel, name="drill-cancel"),
    path("drills/schedules/", planning.schedule_list, name="schedule-list"),
    path("drills/schedules/new/", planning.schedule_create, name="schedule-create"),
    path("drills/schedules/<int:pk>/edit/", planning.schedule_edit, name="schedule-edit"),
    path("drills/feeds/", feeds.feed_tokens, name="feed-tokens"),
    path("drills/feed/<slug:token>.ics", feeds.feed, name="feed"),
    path("drills/summary/", reports.summary, name="summary"),
    path("drills/summary.pdf", reports.summary_pdf, name="summary-pdf"),
    path("drills/reports/", reports.report_list, name="report-list"),
    path("drills/reports/new/", reports.report_new, name="report-new-unplanned"),
    path("drills/<int:drill_pk>/report/", reports.report_new, name="report-new"),
    path("drills/reports/<int:pk>/", reports.report_detail, name="report-detail"),
    path("drills/reports/<int:pk>/edit/", reports.report_edit, name="report-edit"),
    path("drills/reports/<int:pk>/submit/", reports.report_submit, name="report-submit"),
    path("drills/reports/<int:pk>/revise/", reports.report_revise, name="report-revise"),
    path("drills/reports/<int:pk>/history/", reports.report_history, name="report-history"),
    path("drills/reports/<int:pk>/pdf/", reports.report_pdf, name="report-pdf"),
]
