from django.db import migrations

from portal.search import search_index_operation


class Migration(migrations.Migration):
    dependencies = [("fund", "0001_initial")]

    operations = [search_index_operation("fund_loan")]
