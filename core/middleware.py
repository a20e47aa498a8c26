from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ClinicLocaleMiddleware(LocaleMiddleware):
    """Indonesian unless the user chose otherwise with the language switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language, and most browsers in
    a clinic say en-US; the clinic's language is a choice of the clinic, then of the user."""

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
