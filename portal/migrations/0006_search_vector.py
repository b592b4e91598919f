"""Public site search at scale: a stored tsvector column and its GIN index, on PostgreSQL only."""

from django.db import migrations

from portal.search import search_vector_operation


class Migration(migrations.Migration):
    dependencies = [("portal", "0005_security_events")]

    operations = [search_vector_operation("portal_article"), search_vector_operation("portal_page")]
