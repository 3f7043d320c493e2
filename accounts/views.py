from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse, reverse_lazy
from django.utils.decorators import method_decorator

from core.ratelimit import ratelimit

from .forms import ResetPasswordForm, SignInForm
from .policies import roles_of


@method_decorator(ratelimit("sign_in", methods=("POST",)), name="dispatch")
class SignInView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True


@login_required
def home(request):
    """Send each person to the dashboard they work from."""
    roles = roles_of(request.user)
    for role, name in [("worker", "seekers:people"), ("claimer", "referrals:inbound")]:
        if role in roles:
            try:
                return redirect(reverse(name))
            except NoReverseMatch:
                continue
    if "superuser" in roles:
        return redirect("admin:index")
    return redirect("accounts:password_change")


password_reset = ratelimit("password_reset", methods=("POST",))(
    auth_views.PasswordResetView.as_view(
        form_class=ResetPasswordForm,
        template_name="registration/password_reset_form.html",
        success_url=reverse_lazy("accounts:password_reset_done"),
    )
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(template_name="registration/password_reset_done.html")
password_reset_confirm = ratelimit("password_reset", methods=("POST",))(
    auth_views.PasswordResetConfirmView.as_view(
        template_name="registration/password_reset_confirm.html",
        success_url=reverse_lazy("accounts:password_reset_complete"),
    )
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="registration/password_reset_complete.html"
)
password_change = auth_views.PasswordChangeView.as_view(
    template_name="registration/password_change_form.html", success_url=reverse_lazy("accounts:password_change_done")
)
password_change_done = auth_views.PasswordChangeDoneView.as_view(template_name="registration/password_change_done.html")
