from django.db import migrations

from portal.search import search_index_operation


class Migration(migrations.Migration):
    dependencies = [("cooperatives", "0002_initial")]

    operations = [search_index_operation("cooperatives_cooperative")]
