from incidents import metric_urls

app_name = "incidents"

urlpatterns = [
    # DR metrics (the page and its monthly PDF).
    *metric_urls.urlpatterns,
]
