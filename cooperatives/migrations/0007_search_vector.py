"""Public site search at scale: a stored tsvector column and its GIN index, on PostgreSQL only."""

from django.db import migrations

from portal.search import search_vector_operation


class Migration(migrations.Migration):
    dependencies = [("cooperatives", "0006_private_files")]

    operations = [search_vector_operation("cooperatives_cooperative")]
