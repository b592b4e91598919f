"""Public site search at scale: a stored tsvector column and its GIN index, on PostgreSQL only."""

from django.db import migrations

from portal.search import search_vector_operation


class Migration(migrations.Migration):
    dependencies = [("directives", "0004_documents_tasks_reports")]

    operations = [search_vector_operation("directives_document")]
