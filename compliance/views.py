from django.http import Http404
from django.views.decorators.http import require_safe


@require_safe
def placeholder(request, pk=None):
    raise Http404("Not built yet.")
