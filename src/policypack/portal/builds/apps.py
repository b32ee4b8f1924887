from django.apps import AppConfig


class BuildsConfig(AppConfig):
    name = "policypack.portal.builds"
    label = "builds"
    default_auto_field = "django.db.models.BigAutoField"
