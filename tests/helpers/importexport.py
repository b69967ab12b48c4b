"""Helpers of the importexport tests (plain functions and constants; the fixtures are in tests/importexport/conftest.py)."""

from quizzes.models import Question


def bank() -> dict[str, dict]:
    """Every question with everything that an export must carry, keyed by text."""
    questions = Question.objects.prefetch_related("options", "exams", "categories")
    return {
        q.question_text: {
            "type": q.type,
            "explanation": q.explanation,
            "detailed_explanation": q.detailed_explanation,
            "tags": q.tags,
            "images": q.images,
            "is_premium": q.is_premium,
            "status": q.status,
            "created_by_name": q.created_by_name,
            "is_user_generated": q.is_user_generated,
            "version": q.version,
            "exams": sorted(exam.code for exam in q.exams.all()),
            "categories": sorted(category.code for category in q.categories.all()),
            "options": sorted((o.display_order, o.text, o.is_correct) for o in q.options.all()),
        }
        for q in questions
    }


def options_of(question: Question) -> list[tuple[str, bool]]:
    return [(o.text, o.is_correct) for o in question.options.order_by("display_order")]
