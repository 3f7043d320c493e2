"""The document keyword search reads (see Program.search_document and programs.selectors)."""

from django.contrib.postgres.search import SearchVector
from django.db.models import Func, Value
from django.db.models.functions import Coalesce


class SearchDocument(SearchVector):
    """What keyword search reads: a tsvector of name, description and eligibility on PostgreSQL.

    The "simple" configuration neither stems nor drops stop words, so a word matches as typed (as a prefix),
    like the icontains fallback that other databases use. On SQLite the column holds the lower-cased text.
    """

    def __init__(self):
        super().__init__("name", "description", "eligibility", config="simple")

    def as_sqlite(self, compiler, connection, **extra_context):
        clone = self.copy()
        clone.set_source_expressions([Coalesce(expression, Value("")) for expression in clone.get_source_expressions()])
        return Func.as_sql(clone, compiler, connection, template="lower(%(expressions)s)")

    def deconstruct(self):
        return "programs.search.SearchDocument", (), {}
