"""The English labels of the forms (the second locale, for docs and tests), keyed by the
Vietnamese text the templates print. ``tests/test_forms.py`` checks that every label of every
shipped template has one."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

EN: Mapping[str, str] = MappingProxyType({
    "Mẫu số": "Form",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM": "SOCIALIST REPUBLIC OF VIETNAM",
    "Độc lập - Tự do - Hạnh phúc": "Independence - Freedom - Happiness",
    "Tiếp nhận hồ sơ của Ông (Bà)/Tổ chức": "Received from (person or organisation)",
    "Số định danh cá nhân/tổ chức": "Personal/organisation ID number",
    "Địa chỉ": "Address",
    "Số điện thoại": "Phone",
    "Mã hồ sơ": "Dossier code",
    "Trường hợp người được ủy quyền thì ghi thêm họ tên, địa chỉ, số định danh cá nhân, số "
    "điện thoại, email của người ủy quyền và văn bản ủy quyền":
        "For an authorised representative, also the authoriser's name, address, personal ID, "
        "phone, e-mail and the authorisation",
    "Thành phần hồ sơ nộp gồm": "Documents filed",
    "(bộ)": "(set)",
    "Vào Sổ theo dõi hồ sơ, Quyển số": "Entered in the dossier register, book",
    "Số thứ tự": "Entry",
    "(nếu có)": "(if any)",
    "Trung tâm Phục vụ hành chính công/Bộ phận Tiếp nhận và Trả kết quả":
        "Public administration service centre / one-stop desk",
    "Nội dung yêu cầu giải quyết": "Procedure requested",
    "Số lượng hồ sơ": "Number of dossiers",
    "Thời gian giải quyết hồ sơ theo quy định là": "Statutory time limit",
    "Thời gian nhận hồ sơ": "Received at",
    "Thời gian trả kết quả giải quyết hồ sơ": "Result due at",
    "Đăng ký nhận kết quả tại": "Result to be collected at",
    "NGƯỜI NỘP HỒ SƠ": "APPLICANT",
    "(Ký và ghi rõ họ tên)": "(Signature and full name)",
    "NGƯỜI TIẾP NHẬN HỒ SƠ": "RECEIVING OFFICER",
    "(Chữ ký số của người tiếp nhận hồ sơ nếu là biểu mẫu điện tử)":
        "(Digital signature of the receiving officer on an electronic form)",
    "Yêu cầu hoàn thiện hồ sơ gồm những nội dung sau": "Please complete the dossier with",
    "Trong quá trình hoàn thiện hồ sơ nếu có vướng mắc, Ông/Bà liên hệ với":
        "If anything is unclear while completing the dossier, contact",
    "theo số điện thoại": "on",
    "để được hướng dẫn.": "for guidance.",
    "Hồ sơ của": "Dossier of",
    "Lý do": "Reason",
    "NGƯỜI HƯỚNG DẪN": "GUIDING OFFICER",
    "(Chữ ký số của Người hướng dẫn nếu là biểu mẫu điện tử)":
        "(Digital signature of the guiding officer on an electronic form)",
    "Sau khi nghiên cứu, đối chiếu với quy định hiện hành, Bộ phận Tiếp nhận và Trả kết quả "
    "không tiếp nhận, giải quyết hồ sơ này với lý do cụ thể như sau":
        "Having examined it against the regulations in force, the one-stop desk does not "
        "receive this dossier for handling, for the following reasons",
    "Xin thông báo cho Ông/Bà được biết và thực hiện./.": "For your information./.",
    "Tiếp nhận hồ sơ của": "Received from",
    "Mã hồ sơ (nếu có)": "Dossier code (if any)",
    "Kính gửi": "To",
    "tiếp nhận hồ sơ của Ông/Bà đề nghị giải quyết thủ tục":
        "received your dossier for the procedure",
    "số định danh": "ID number",
    "mã số hồ sơ": "dossier code",
    "thời gian tiếp nhận": "received at",
    "Tuy nhiên đến nay,": "To date, however,",
    "chưa trả kết quả giải quyết hồ sơ cho Ông/Bà theo thời gian ghi trên Giấy tiếp nhận hồ "
    "sơ và hẹn trả kết quả.":
        "has not returned the result by the time on the receipt and appointment slip.",
    "Sự chậm trễ này có thể gây phiền hà, tốn kém chi phí, công sức của Ông/Bà.":
        "This delay may cost you inconvenience, money and effort.",
    "xin lỗi Ông/Bà và đề nghị gia hạn thời gian trả kết quả đến":
        "apologises and asks to extend the time for the result until",
    "Rất mong nhận được sự thông cảm của Ông/Bà./.": "Thank you for your understanding./.",
    "Thời gian hẹn trả kết quả giải quyết hồ sơ": "Result due at",
    "THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ": "HEAD OF THE AGENCY",
    "(Chữ ký số của Thủ trưởng cơ quan, đơn vị nếu là biểu mẫu điện tử)":
        "(Digital signature of the head of the agency on an electronic form)",
    "Căn cứ đề nghị dừng giải quyết hồ sơ của Ông/Bà,": "As you asked to stop the dossier,",
    "thông báo dừng giải quyết hồ sơ nêu trên kể từ": "stops handling the dossier above from",
    " (được xử lý theo quy định của pháp luật về phí, lệ phí)":
        " (dealt with under the law on fees and charges)",
    "Giấy tờ bản chính đã nộp (nếu có) được trả lại Ông/Bà tại Bộ phận Một cửa.":
        "Original papers filed (if any) are returned to you at the one-stop desk.",
    "Xin thông báo để Ông/Bà được biết./.": "For your information./.",
    "Thủ tục hành chính": "Administrative procedure",
    "Thời gian tiếp nhận hồ sơ": "Received at",
    "Căn cứ": "Legal basis",
    "Phí, lệ phí đã nộp": "Fees paid",
    "(Chữ ký số nếu là biểu mẫu điện tử)": "(Digital signature on an electronic form)",
    "Hẹn trả kết quả vào": "Result due at",
    "Tên đơn vị": "Unit",
    "Thời gian giao nhận hồ sơ": "Handed over at",
    "Kết quả giải quyết hồ sơ (trước hạn/đúng hạn/quá hạn)": "Result (early/on time/late)",
    "Ghi chú": "Notes",
    "Giao": "From",
    "Nhận": "To",
    "Người giao": "Handed by",
    "Người nhận": "Taken by",
    "giờ": "h",
    "phút, ngày": "min, on",
    "Kết quả giải quyết hồ sơ do bên nhận hồ sơ nhập hoặc ghi khi nhận bàn giao; quá trình "
    "giao nhận được Hệ thống thông tin giải quyết thủ tục hành chính ghi lại tự động và hiển "
    "thị trên phiếu điện tử.":
        "The receiving side enters the result when it takes the dossier; the information "
        "system for administrative procedures logs every handoff and shows it on the "
        "electronic slip.",
    "Mã số hồ sơ": "Dossier code",
    "Cơ quan (bộ phận) giải quyết hồ sơ": "Handling agency (unit)",
    "Cơ quan phối hợp giải quyết hồ sơ": "Cooperating agencies",
    "Ngày nhận": "Received",
    "STT": "No.",
    "Tên TTHC": "Procedure",
    "Tên tổ chức, cá nhân": "Applicant",
    "Địa chỉ/SĐT": "Address/phone",
    "Cơ quan chủ trì giải quyết": "Lead agency",
    "Nhận và trả kết quả": "Receipt and return",
    "Nhận hồ sơ": "Received",
    "Hẹn trả kết quả": "Due",
    "Trả kết quả": "Returned",
    "Phương thức nhận kết quả": "Delivery",
    "Ký nhận": "Signed",
    "Sổ theo dõi hồ sơ được lập theo từng lĩnh vực hoặc nhóm lĩnh vực tại Bộ phận Một cửa; "
    "sổ điện tử lập trực tiếp trên hệ thống không cần in nếu có đủ thông tin theo quy định.":
        "The register is kept per field or group of fields at the one-stop desk; an "
        "electronic register kept in the system need not be printed if it holds all the "
        "required information.",
})
