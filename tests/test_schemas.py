import pytest

from scanner.errors import RecordError
from scanner.readers.schemas import detect, to_views


@pytest.mark.parametrize("obj, schema, views", [
    ({"messages": [{"role": "system", "content": "S"}, {"role": "user", "content": "Q"},
                   {"role": "assistant", "content": "A"}]}, "chat", ("S", "Q", "A")),
    ({"messages": [{"role": "user", "content": [{"type": "text", "text": "Q"}, {"type": "image_url"}]},
                   {"role": "assistant", "content": "A"}]}, "chat", ("", "Q", "A")),
    ({"conversations": [{"from": "human", "value": "Q"}, {"from": "gpt", "value": "A"}]}, "sharegpt", ("", "Q", "A")),
    ({"instruction": "I", "input": "X", "output": "O"}, "alpaca", ("", "I\n\nX", "O")),
    ({"instruction": "I", "instances": [{"input": "", "output": "O"}]}, "alpaca", ("", "I", "O")),
    ({"prompt": "P", "completion": "C"}, "prompt_completion", ("", "P", "C")),
    ({"question": "Q", "answer": "A"}, "qa", ("", "Q", "A")),
    ({"text": "T"}, "text", ("", "", "T")),
])
def test_detect_and_normalise(obj, schema, views):
    assert detect(obj) == schema
    v = to_views(schema, obj)
    assert (v.system, v.prompt, v.answer) == views


def test_multi_turn_keeps_every_turn_in_its_role():
    obj = {"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"},
                        {"role": "user", "content": "c"}, {"role": "assistant", "content": "d"}]}
    v = to_views("chat", obj)
    assert v.prompt == "a\n\nc" and v.answer == "b\n\nd"


def test_text_field_override():
    assert detect({"body": "x"}, text_field="body") == "text"
    assert to_views("text", {"body": "x"}, "body").answer == "x"


@pytest.mark.parametrize("obj, reason", [
    ({"messages": "hi"}, "must be an array"),
    ({"messages": []}, "is empty"),
    ({"messages": [{"role": "user", "content": 3}]}, "must be a string, got number"),
    ({"messages": [{"role": "pirate", "content": "x"}]}, "unknown role"),
    ({"messages": [{"content": "x"}]}, "role is missing"),
    ({"instruction": "I"}, "missing field 'output'"),
    ({"prompt": "", "completion": " "}, "no text"),
    ([1, 2], "expected a JSON object"),
])
def test_bad_records_raise_a_reason(obj, reason):
    with pytest.raises(RecordError, match=reason):
        to_views("alpaca" if "instruction" in str(obj) else "prompt_completion" if "prompt" in str(obj)
                 else "chat", obj)


def test_unknown_object_is_not_detected():
    assert detect({"foo": 1}) is None
    assert detect([1]) is None
