"""Edge-case format vectors for Cognate's adapters, produced by DSPy 3.4.1 itself.

They complement ../dspy-3.4.1/vectors.json with what its random generator never draws: models
nested in models (references, optional references, lists and dicts of models), model and
property descriptions, an empty model, non-ASCII property names (title-casing), odd dict keys in
XML, control characters, awkward floats and integers, instructions that exercise `cleandoc`
(tabs, CR, Unicode whitespace), trailing whitespace in descriptions, and signatures without
inputs. The case layout is the same as vectors.json; models and model fields may also carry a
"description".

Regenerate (needs the packages of ../dspy-3.4.1/requirements.txt):

    python make_format_edge_cases.py > format_edge_cases.json
"""
import json, sys, os
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "dspy-3.4.1"))
os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
import generate as g
import dspy, pydantic

# Models with descriptions: build_models, extended to honour "description" keys.
def build_models(specs):
    models = {}
    for m in specs:
        fields = {}
        for f in m["fields"]:
            ann = g.parse_type(f["type"], models)
            kw = {}
            if "description" in f: kw["description"] = f["description"]
            default = f["default"] if "default" in f else ...
            fields[f["name"]] = (ann, pydantic.Field(default, **kw))
        models[m["name"]] = pydantic.create_model(m["name"], __module__=g.MODEL_MODULE, __doc__=m.get("description"), **fields)
    return models
g.build_models = build_models

def F(name, type, desc=""): return {"name": name, "type": type, "desc": desc}

M_ADDR = {"name": "Address", "fields": [{"name": "type", "type": "str"}, {"name": "zip_code", "type": "Union[int, NoneType]", "default": None}, {"name": "ßeta", "type": "float"}, {"name": "ﬁeld", "type": "bool"}]}
M_PERSON = {"name": "Person", "description": "A person.\n  Indented doc.", "fields": [
    {"name": "name", "type": "str", "description": "the name"},
    {"name": "home", "type": "Address"},
    {"name": "other", "type": "Union[Address, NoneType]", "default": None},
    {"name": "others", "type": "list[Address]"},
    {"name": "by_key", "type": "dict[str, Address]"},
    {"name": "maybe_list", "type": "Union[list[Address], NoneType]"},
    {"name": "ÉCOLE", "type": "Literal['a', 1]"},
    {"name": "日本go", "type": "Literal[7]"},
    {"name": "a1b2", "type": "dict[str, list[int]]"},
]}
M_EMPTY = {"name": "Empty", "fields": []}

addr = {"type": "home <&> 'x'", "zip_code": None, "ßeta": -0.0, "ﬁeld": True}
person = {"name": "Ann\n\"Q\"", "home": addr, "other": None, "others": [addr, addr], "by_key": {"a b": addr, "": addr, "1x": addr},
          "maybe_list": [], "ÉCOLE": 1, "日本go": 7, "a1b2": {"x": [1, 2]}}
weird = {"": 1, "1abc": 2, "a b": 3, "a\"b": 4, "a'b": 5, "a\"'b": 6, "a\nb\tc": 7, "é": 8, "_": 9, "a-": 10, "-a": 11, "a.b.c": 12, "ǅx": 13, "a&<>": 14}

cases = []
def case(cid, adapter, sig, demos, inputs):
    cases.append({"id": cid, "kind": "format", "adapter": adapter, "signature": sig, "demos": demos, "inputs": inputs})

for ad in ["ChatAdapter", "JSONAdapter", "XMLAdapter"]:
    sig = {"instructions": "\tTabbed first\n\t\tsecond\n\n   \n\tthird  \n\n", "inputs": [F("q", "str", "trail   "), F("p", "Person", "in model")],
           "outputs": [F("who", "Person", "desc\n"), F("maybe", "Union[Person, NoneType]"), F("many", "list[Person]"), F("e", "Empty"), F("d", "dict[str, int]", "  x  ")],
           "models": [M_ADDR, M_PERSON, M_EMPTY]}
    case(f"nested-{ad}", ad, sig, [
        {"q": "a", "p": person, "who": person, "maybe": None, "many": [person], "e": {}, "d": weird},
        {"q": "b", "p": person, "who": person, "maybe": person, "many": [], "e": {}, "d": {}},
        {"q": ["x", "y\nz"], "who": "plain <text> & more", "many": "not a list"},
    ], {"q": "final  ", "p": person})
    for i, instr in enumerate(["line\r\nwith crlf\rcr", "a\x0bb\x0cc\x1cd", "  ", "x\u2028y\u2029z\x85w", "\n\n\n", "first\n  \t  \n  second\n    third", "\u3000wide\n\u3000\u3000indented"]):
        sig = {"instructions": instr, "inputs": [F("q", "str", "d1  "), F("r", "int", "d2\n\n")], "outputs": [F("a", "str", "o1 "), F("b", "Union[str, NoneType]", "o2  ")], "models": []}
        case(f"instr{i}-{ad}", ad, sig, [], {"q": "x", "r": 3})
    sig = {"instructions": "", "inputs": [], "outputs": [F("a", "str"), F("b", "list[str]"), F("c", "dict[str, str]")], "models": []}
    case(f"noinputs-{ad}", ad, sig, [{"a": "1", "b": ["x"], "c": {}}, {"a": "z", "q": 1}], {})
    sig = {"instructions": "Values.", "inputs": [F("s", "str"), F("f", "float"), F("l", "list[float]"), F("o", "Union[str, NoneType]"), F("d", "dict[str, str]")],
           "outputs": [F("a", "str"), F("b", "Union[str, NoneType]"), F("c", "Literal['<', '&']"), F("x", "list[str]"), F("y", "dict[str, float]")], "models": []}
    vals = {"s": "ctl\x01\x1f\x7f tab\t cr\r u2028\u2028 «quote» \\ back", "f": 1e22, "l": [-0.0, 1e-7, 123456789.123, 1.5e300, 18446744073709551615, -9223372036854775808],
            "o": ["x", "y"], "d": weird}
    outs = {"a": "a<b&c>d", "b": "a<b&c>d", "c": "<", "x": ["<&>", "\x01", "«»"], "y": {"k": 1e16, "z": 0.1}}
    outs2 = {"a": ["l1", "l2<&"], "b": 12, "c": "&", "x": "not-a-list <&>", "y": None}
    case(f"values-{ad}", ad, sig, [dict(vals, **outs), dict(vals, **outs2), {"s": ["only"], **outs2}], dict(vals, s=["one\ntwo", "«x", "y»", ""]))

out = []
for c in cases:
    try:
        msgs = g.run_format(c)
    except Exception as e:
        raise SystemExit(f"case {c['id']} failed in DSPy: {e!r}")
    c["expected_messages"] = msgs
    out.append(c)
json.dump({"about": "DSPy 3.4.1 format vectors for edge cases; see make_format_edge_cases.py", "dspy_version": dspy.__version__, "format_cases": out}, sys.stdout, ensure_ascii=False, indent=1)
print()
