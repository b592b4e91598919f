from django.db import migrations

from portal.search import search_index_operation


class Migration(migrations.Migration):
    dependencies = [("portal", "0003_public_site")]

    operations = [search_index_operation("portal_article"), search_index_operation("portal_page")]
