from datetime import timedelta

import factory
from django.utils import timezone

from public.models import Article, Category, Choice, Page, Poll
from public.services import article_save


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Chuyên mục {n}")
    slug = factory.Sequence(lambda n: f"chuyen-muc-{n}")


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article

    category = factory.SubFactory(CategoryFactory)
    title = factory.Sequence(lambda n: f"Hợp tác xã tổ chức Đại hội thành viên số {n}")
    slug = factory.Sequence(lambda n: f"bai-viet-{n}")
    lead = "Tóm tắt bài viết về kinh tế tập thể."
    body = "<p>Nội dung bài viết.</p>"
    status = Article.Status.PUBLISHED
    publish_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        """Saved as the editors' desk saves it (the publishing rule lives in the service, not in save())."""
        return article_save(article=model_class(*args, **kwargs))


class PageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Page

    title = factory.Sequence(lambda n: f"Trang {n}")
    slug = factory.Sequence(lambda n: f"trang-{n}")
    body = "<p>Nội dung trang.</p>"


class PollFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Poll
        skip_postgeneration_save = True

    question = "Bạn quan tâm nội dung nào?"
    slug = factory.Sequence(lambda n: f"tham-do-{n}")
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))

    @factory.post_generation
    def choices(self, create, extracted, **kwargs):
        for order, text in enumerate(extracted or ["Vay vốn", "Thành lập HTX", "Đào tạo"]):
            Choice.objects.create(poll=self, text=text, order=order)
