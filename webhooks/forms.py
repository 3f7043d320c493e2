from django import forms

from .validators import validate_webhook_url


class EndpointForm(forms.Form):
    organization = forms.ChoiceField(label="Organization")
    url = forms.URLField(
        label="Endpoint address (https://…)", max_length=500, validators=[validate_webhook_url], assume_scheme="https"
    )
    description = forms.CharField(label="Description (optional)", max_length=200, required=False)

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.organizations = {str(organization.public_id): organization for organization in organizations}
        self.fields["organization"].choices = [(key, org.name) for key, org in self.organizations.items()]
        if len(self.organizations) == 1:
            self.fields["organization"].widget = forms.HiddenInput()
            self.fields["organization"].initial = next(iter(self.organizations))

    def clean_organization(self):
        return self.organizations[self.cleaned_data["organization"]]
