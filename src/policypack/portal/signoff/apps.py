from django.apps import AppConfig


class SignoffConfig(AppConfig):
    name = "policypack.portal.signoff"
    label = "signoff"
    default_auto_field = "django.db.models.BigAutoField"
