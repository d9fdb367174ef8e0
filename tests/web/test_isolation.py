"""Web imports read the upload in a child process (isolation.py): the server's interpreter is not
held while a large file is parsed, and a parse that runs too long or needs too much memory is
stopped with a Chinese message instead of taking the server down."""
from __future__ import annotations

import io
import re
import time

import pytest

from fazhi_exam import isolation
from fazhi_exam.errors import ValidationError
from tests.exam_fixtures import bank_questions


def test_a_result_or_the_childs_exception_comes_back():
    assert isolation.run(sum, [1, 2, 3], what="文件") == 6
    with pytest.raises(ValueError):
        isolation.run(int, "不是数字", what="文件")


def test_too_slow_and_too_big_are_stopped_with_a_message():
    began = time.monotonic()
    with pytest.raises(ValidationError, match="处理题库文件超过 0.5 秒仍未完成，已停止处理"):
        isolation.run(time.sleep, 30, what="题库文件", timeout=0.5)
    assert time.monotonic() - began < 10  # the child was stopped, not waited for
    with pytest.raises(ValidationError, match="处理人员名单所需的内存过多"):
        isolation.run(bytearray, 2 * 1024 ** 3, what="人员名单", memory=512 * 1024 ** 2)


def test_the_bank_import_preview_parses_in_a_child(app, client, auth, make_user):
    from fazhi_exam.bank.exporters.native import export

    app.config["PARSE_IN_CHILD"] = True
    make_user("peixun", roles={"trainer"})
    auth.login("peixun")
    token = auth.csrf("/bank/import")
    content = export(bank_questions(), bank="子进程库")
    page = client.post("/bank/import", data={"csrf_token": token, "file": (io.BytesIO(content), "x.yaml"),
                                             "bank": "", "status": "published"},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert f"新试题 <strong>{len(bank_questions())}</strong> 道" in page
    action = re.search(r'action="(/bank/import/[^"]+)"', page).group(1)
    done = client.post(action, data={"csrf_token": token}).get_data(as_text=True)
    assert f"已导入 {len(bank_questions())} 道试题到题库“子进程库”" in done
    bad = client.post("/bank/import", data={"csrf_token": token, "file": (io.BytesIO(b"- [unclosed"), "y.yaml"),
                                            "bank": "", "status": "published"},
                      content_type="multipart/form-data").get_data(as_text=True)
    assert "未导入任何试题" in bad  # the parser's own refusal comes back from the child
