import mimetypes

from django.db import connection
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from asti.core import city


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability, for the load balancer and the demo start script."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@require_GET
@cache_control(public=True, max_age=3600)
def city_css(request: HttpRequest) -> HttpResponse:
    """The city's colours as custom properties that asti.css uses (a stylesheet, as no page has inline styles)."""
    return HttpResponse(city.active().stylesheet(), content_type="text/css; charset=utf-8")


@require_GET
@cache_control(public=True, max_age=3600)
def city_logo(request: HttpRequest) -> FileResponse:
    """The city's logo from its profile's folder (the profile names the file; nothing else there is served)."""
    path = city.active().logo_path
    if path is None:
        raise Http404("no logo")
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return FileResponse(path.open("rb"), content_type=content_type)
