"""Every address of the portal (the tenancy test visits each of them as another trust's user)."""

from django.contrib.auth import views as auth
from django.urls import path

from policypack.portal.builds import views as builds
from policypack.portal.schools import dashboard, views
from policypack.portal.signoff import public, reading
from policypack.portal.signoff import views as signoff

urlpatterns = [
    path("sign-in/", auth.LoginView.as_view(template_name="portal/sign-in.html"), name="sign-in"),
    path("sign-out/", auth.LogoutView.as_view(), name="sign-out"),
    path("", views.home, name="home"),
    path("trusts/<int:pk>/", dashboard.dashboard, name="dashboard"),
    path("trusts/<int:pk>/build-all/", dashboard.build_all, name="build-all"),
    path("trusts/<int:pk>/checks/", signoff.trust_checks, name="trust-checks"),
    path("schools/<slug:slug>/", views.school_page, name="school"),
    path("schools/<slug:slug>/profile/", views.profile_page, name="profile"),
    path("schools/<slug:slug>/profile/check/", views.profile_check, name="profile-check"),
    path("schools/<slug:slug>/profile/export/", views.profile_export, name="profile-export"),
    path("schools/<slug:slug>/profile/import/", views.profile_import, name="profile-import"),
    path("schools/<slug:slug>/audit/", views.audit_page, name="audit"),
    path("schools/<slug:slug>/approval/", signoff.approval_page, name="approval"),
    path("schools/<slug:slug>/approval/submit/", signoff.submit, name="approval-submit"),
    path("schools/<slug:slug>/approval/<int:pk>/approve/", signoff.approve, name="approval-approve"),
    path("schools/<slug:slug>/approval/<int:pk>/return/", signoff.send_back, name="approval-return"),
    path("approve/<str:token>/", signoff.approver_link, name="approver-link"),
    path("schools/<slug:slug>/staff/", reading.staff_page, name="staff"),
    path("read/<str:token>/", reading.read_page, name="read"),
    path("read/<str:token>/<str:name>", reading.read_file, name="read-file"),
    path("public/<slug:slug>/", public.public_index, name="public"),
    path("public/<slug:slug>/<str:name>", public.public_file, name="public-file"),
    path("schools/<slug:slug>/guidance/", dashboard.guidance_changes, name="guidance"),
    path("schools/<slug:slug>/preview/<slug:kind>.png", builds.preview, name="preview"),
    path("schools/<slug:slug>/build/", builds.build_school, name="build-school"),
    path("schools/<slug:slug>/builds/<int:pk>/", builds.build_page, name="build"),
    path("schools/<slug:slug>/builds/<int:pk>/status/", builds.build_status, name="build-status"),
    path("schools/<slug:slug>/builds/<int:pk>/pack.zip", builds.pack_zip, name="pack-zip"),
    path("schools/<slug:slug>/builds/<int:pk>/files/<str:name>", builds.pack_file, name="pack-file"),
]
