from django.urls import path

from . import views

app_name = "fhir"

urlpatterns = [
    path("", views.Transaction.as_view(), name="transaction"),
    path("metadata", views.Metadata.as_view(), name="metadata"),
    path("Task", views.TaskSearch.as_view(), name="task-search"),
    path("Task/<str:resource_id>", views.TaskRead.as_view(), name="task"),
    path("Provenance", views.ProvenanceSearch.as_view(), name="provenance-search"),
    path("ServiceRequest/<str:resource_id>", views.ServiceRequestRead.as_view(), name="service-request"),
    path("Questionnaire", views.QuestionnaireSearch.as_view(), name="questionnaire-search"),
    path("Questionnaire/<str:resource_id>", views.QuestionnaireRead.as_view(), name="questionnaire"),
    path(
        "QuestionnaireResponse/<str:resource_id>",
        views.QuestionnaireResponseRead.as_view(),
        name="questionnaire-response",
    ),
]
