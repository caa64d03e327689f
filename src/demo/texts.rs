//! The words of the demo: reasons, notes and documents, as a Guangzhou office writes them.

/// Submitted documents, in order; the bits of `Plan::bad_documents`.
pub(crate) const DOCUMENTS: &[&str] = &[
    "passport",
    "contract",
    "degree",
    "criminal_record",
    "exam_report",
];
pub(crate) const EXAM_REPORT_DOCUMENT: u8 = 0b10000;

/// Pre-audit return reasons (一次性告知), with the documents each one finds deficient.
pub(crate) const PRE_AUDIT_RETURNS: &[(&str, u8)] = &[
    (
        "一次性告知：请补正学历证书的认证文件（经中国驻外使领馆认证或附学位认证报告）。",
        0b00100,
    ),
    (
        "一次性告知：无犯罪记录证明已超过6个月有效期，请重新提交经认证的无犯罪记录证明。",
        0b01000,
    ),
    (
        "一次性告知：劳动合同未加盖单位公章，且缺少岗位及薪酬条款，请补正后重新提交。",
        0b00010,
    ),
    (
        "一次性告知：1. 劳动合同未注明合同期限；2. 护照信息页扫描件不清晰。请一并补正。",
        0b00011,
    ),
    (
        "一次性告知：体检报告缺少检查结论页，请补充完整的体检报告。",
        0b10000,
    ),
    (
        "一次性告知：1. 学历证书缺少经公证的中文译本；2. 无犯罪记录证明缺少中文译本。请一并补正。",
        0b01100,
    ),
];
pub(crate) const RESTART: &str = "证卡融合改革：原在途的工作许可证申请转为重新审批，请按新流程补正材料后重新提交（一次性告知）。";
pub(crate) const REVIEW_RETURNS: &[&str] = &[
    "审查中发现申请人工作资历与拟聘岗位不符，请补充相关工作经历证明。",
    "请补充说明拟聘岗位薪酬标准及社会保险缴纳安排。",
    "计点积分中的薪酬项与劳动合同不一致，请补充近期工资证明或更正合同。",
];
pub(crate) const NOT_ACCEPTED: &[&str] = &[
    "用人单位注册地不属于本机关管辖范围，不予受理，请向注册地受理机构申报。",
    "申请人年龄超过规定上限且不符合高端人才例外情形，不予受理。",
    "同一申请人已有在办的工作许可申请，重复申报，不予受理。",
];
pub(crate) const REFUSE_REASONS: &[&str] = &[
    "申请人学历及工作经历不符合相应类别条件，建议不予许可。",
    "经核查，学历证书认证信息与原件不符，建议不予许可。",
    "用人单位本年度C类外国人配额已用完，建议不予许可。",
];
pub(crate) const SIGN_REFUSE: &str = "同意审查意见，不予许可。";
pub(crate) const SIGN_AGAINST_APPROVAL: &str = "经复核，申请人专业与拟聘岗位不匹配，不予许可。";
pub(crate) const SIGN_AGAINST_REFUSAL: &str = "经复核，单位补充的工作经历证明符合条件，同意许可。";
pub(crate) const RECOMMEND_NOTES: &[&str] = &["", "", "", "材料齐全，符合条件，建议准予许可。"];
pub(crate) const SIGN_NOTES: &[&str] = &["", "", "", "", "同意。"];
pub(crate) const SEND_BACKS: &[&str] = &[
    "请补充核实申请人工作资历证明的真实性后重新提出审查意见。",
    "审查意见未说明计点积分依据，请补充后重新提交。",
];
pub(crate) const EXTENSIONS: &[&str] = &[
    "需征求行业主管部门意见，延长审查期限。",
    "申请人学历认证需向境外机构核实，延长审查期限。",
];
pub(crate) const NOTES: &[&str] = &[
    "已电话联系单位经办人，告知办理要求。",
    "单位经办人来电询问办理进度，已答复。",
    "申请人为重点人才计划入选者，优先办理。",
];
pub(crate) const VERIFY_RETURNS: &[&str] = &[
    "现场核验：体检报告非境内检验检疫机构出具，请提交境内体检报告。",
    "现场核验：复印件未加盖单位公章，请补正后再次核验。",
    "现场核验：代理人未提供授权委托书，请补正。",
    "现场核验：未携带学历证书原件，请携带原件再次核验。",
];
pub(crate) const LAPSES: &[&str] = &[
    "入境后30日内未办理现场核验，逾期未核验，按规定办结。",
    "已超过现场核验期限，经多次提醒单位仍未到场，逾期未核验。",
];
pub(crate) const REOPENS: &[&str] = &[
    "单位提交情况说明（申请人因病住院未能按期核验），同意恢复核验。",
    "申请人已到窗口办理，经负责人同意恢复核验。",
];
pub(crate) const ALLOW_LATES: &[&str] = &[
    "申请人因航班延误逾期到场，单位提交情况说明，同意逾期核验。",
    "单位经办人说明逾期原因，经负责人同意办理逾期核验。",
];
pub(crate) const WITHDRAW_ASKED: &[&str] =
    &["用人单位申请撤回。", "申请人放弃来华工作，单位申请撤回。"];
pub(crate) const WITHDRAW_UPSTREAM: &str = "用人单位通过系统撤回申请。";
