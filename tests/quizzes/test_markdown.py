"""The plain-line fast path of quizzes.markdown must give exactly what Markdown and the sanitizer give."""

from hypothesis import example, given, settings
from hypothesis import strategies as st

from quizzes.markdown import _plain_line, render_full, render_markdown

# Characters of plain text and code, and the ones that could start markup.
ALPHABET = "abcXYZ019 ,.;:?!()'\"/%=+-`*_[]<>&#\\\t\n~|{}@$^"


@settings(max_examples=600, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=40))
@example("OSPF area 0")
@example("`ipv6 route ::/0 2001:db8:0:12::2`")
@example("Broadcast of `172.16.45.130/26`?")
@example("`a<b & c>d`")
@example("`\"quoted\"` and 'single'")
@example("1. first")
@example("- item")
@example("+ item")
@example("a  b")
@example("``")
@example("` x `")
@example("x`")
def test_the_fast_path_agrees_with_markdown_wherever_it_answers(text):
    fast = _plain_line(text)
    if fast is not None:
        assert fast == render_full(text)


def test_plain_words_and_code_spans_take_the_fast_path():
    assert _plain_line("Use `show ip route` on R1 (10.0.0.1/8).") == \
        "<p>Use <code>show ip route</code> on R1 (10.0.0.1/8).</p>"
    assert _plain_line("`a<b c>d`") == "<p><code>a&lt;b c&gt;d</code></p>"


def test_anything_that_may_be_markup_takes_the_full_path():
    for text in ("**bold**", "1. first", "- item", "# Title", "a\nb", "<script>x</script>", "[a](http://x)", "a_b_c"):
        assert _plain_line(text) is None
    assert render_markdown("<script>alert(1)</script>") == ""
    assert render_markdown("**bold**") == "<p><strong>bold</strong></p>"


plain_words = st.text(alphabet="abcXYZ019 ,.;:?!()'\"/%=+-", max_size=12)
code_spans = st.text(alphabet="abc019 <>&\"'*_[]#\\:/.-~|{}", min_size=1, max_size=10)


@settings(max_examples=600, deadline=None)
@given(st.lists(st.tuples(plain_words, code_spans), max_size=3), plain_words)
def test_lines_of_words_and_code_spans_render_as_markdown_does(pairs, tail):
    text = "".join(f"{words}`{code}`" for words, code in pairs) + tail
    fast = _plain_line(text)
    if fast is not None:
        assert fast == render_full(text)
