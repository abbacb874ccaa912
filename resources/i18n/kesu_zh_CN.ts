<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AlertBanner</name>
    <message>
        <source>&amp;Open</source>
        <translation>查看(&amp;O)</translation>
    </message>
    <message>
        <source>&amp;Acknowledge</source>
        <translation>知道了(&amp;A)</translation>
    </message>
    <message>
        <source>Kesu alert</source>
        <translation>客诉提醒</translation>
    </message>
    <message>
        <source>{count} alerts</source>
        <translation>{count} 条提醒</translation>
    </message>
    <message>
        <source>+{count} more</source>
        <translation>另有 {count} 条</translation>
    </message>
    <message>
        <source>Escalated (step {step}): {number} {sub}</source>
        <translation>已升级（第 {step} 级）：{number} {sub}</translation>
    </message>
    <message>
        <source>Response overdue: {number} {level} {sub}</source>
        <translation>响应超时：{number} {level} {sub}</translation>
    </message>
    <message>
        <source>New level-1 complaint: {number} {sub}</source>
        <translation>新的一级客诉：{number} {sub}</translation>
    </message>
</context>
<context>
    <name>ApprovalsPanel</name>
    <message>
        <source>Ticket</source>
        <translation>工单</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>方式</translation>
    </message>
    <message>
        <source>Amount (yuan)</source>
        <translation>金额（元）</translation>
    </message>
    <message>
        <source>{days} d {hours} h</source>
        <translation>{days}天{hours}小时</translation>
    </message>
    <message>
        <source>{hours} h {minutes} min</source>
        <translation>{hours}小时{minutes}分</translation>
    </message>
    <message>
        <source>{minutes} min</source>
        <translation>{minutes}分钟</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>已等待</translation>
    </message>
    <message>
        <source>Level</source>
        <translation>级别</translation>
    </message>
    <message>
        <source>Requester&apos;s limit</source>
        <translation>申请人额度</translation>
    </message>
    <message>
        <source>Requested by</source>
        <translation>申请人</translation>
    </message>
    <message>
        <source>Waiting for</source>
        <translation>待谁审批</translation>
    </message>
    <message>
        <source>Problem</source>
        <translation>问题</translation>
    </message>
    <message>
        <source>Note for the record (required to refuse)</source>
        <translation>审批备注（拒绝时必填）</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Approv&amp;e</source>
        <translation>批准(&amp;E)</translation>
    </message>
    <message>
        <source>Ref&amp;use</source>
        <translation>拒绝(&amp;U)</translation>
    </message>
    <message>
        <source>Open tic&amp;ket</source>
        <translation>打开工单(&amp;K)</translation>
    </message>
    <message>
        <source>Your PIN</source>
        <translation>您的 PIN</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>PIN</translation>
    </message>
    <message>
        <source>Confirm approval</source>
        <translation>确认批准</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Regional manager</source>
        <translation>区域经理</translation>
    </message>
    <message>
        <source>Headquarters</source>
        <translation>总部</translation>
    </message>
    <message>
        <source>Store manager</source>
        <translation>店长</translation>
    </message>
    <message>
        <source>Compensation requests waiting: {count}</source>
        <translation>待审批补偿：{count} 笔</translation>
    </message>
    <message>
        <source>({count} waiting longer than {hours} h)</source>
        <translation>（其中 {count} 笔已等待超过 {hours} 小时）</translation>
    </message>
    <message>
        <source>⚠ {age} (old)</source>
        <translation>⚠ {age}（超时）</translation>
    </message>
    <message>
        <source>Waiting longer than {hours} h</source>
        <translation>已等待超过 {hours} 小时</translation>
    </message>
    <message>
        <source>{kind} {amount} yuan requested by {name}</source>
        <translation>{name} 申请{kind} {amount} 元</translation>
    </message>
    <message>
        <source>, whose limit is {limit} yuan ({over} yuan above it)</source>
        <translation>，其额度为 {limit} 元（超出 {over} 元）</translation>
    </message>
    <message>
        <source>Waiting {age}. Why: {reason}</source>
        <translation>已等待 {age}。原因：{reason}</translation>
    </message>
    <message>
        <source>Nothing waiting.</source>
        <translation>没有待审批的补偿。</translation>
    </message>
    <message>
        <source>Only a store manager can decide on compensation.</source>
        <translation>只有店长可以审批补偿。</translation>
    </message>
    <message>
        <source>This request waits for the regional manager&apos;s approval: it can only be refused here. Their decision arrives by sync.</source>
        <translation>该申请等待区域经理审批：门店只能拒绝，不能批准。区域经理的决定会通过同步下发。</translation>
    </message>
    <message>
        <source>This request needs headquarters&apos; approval: it can only be refused here. Headquarters&apos; decision arrives by sync.</source>
        <translation>该申请须总部审批：门店只能拒绝，不能批准。总部的决定会通过同步下发。</translation>
    </message>
    <message>
        <source>Approve or refuse {kind} {amount} yuan on {number}.</source>
        <translation>批准或拒绝工单 {number} 的{kind} {amount} 元。</translation>
    </message>
    <message>
        <source>Approve {kind} {amount} yuan on {number}, requested by {requester}: {name}, enter your PIN to confirm.</source>
        <translation>批准工单 {number} 的{kind} {amount} 元（{requester} 申请）：请{name}输入 PIN 确认。</translation>
    </message>
    <message>
        <source>Enter your PIN to confirm the approval.</source>
        <translation>请输入 PIN 确认批准。</translation>
    </message>
    <message>
        <source>Say why the request is refused.</source>
        <translation>请填写拒绝原因。</translation>
    </message>
    <message>
        <source>Approved: {kind} {amount} yuan on {number}, requested by {requester}, approved by {approver}.</source>
        <translation>已批准：工单 {number} 的{kind} {amount} 元，申请人 {requester}，批准人 {approver}。</translation>
    </message>
    <message>
        <source>Refused: {kind} {amount} yuan on {number}, requested by {requester}, refused by {approver}.</source>
        <translation>已拒绝：工单 {number} 的{kind} {amount} 元，申请人 {requester}，拒绝人 {approver}。</translation>
    </message>
</context>
<context>
    <name>AttentionStrip</name>
    <message>
        <source>Needs the manager</source>
        <translation>需要店长处理</translation>
    </message>
    <message>
        <source>Hide</source>
        <translation>隐藏</translation>
    </message>
    <message>
        <source>Hide until the next login</source>
        <translation>隐藏，下次登录再显示</translation>
    </message>
    <message>
        <source>Repeated problems:</source>
        <translation>重复问题：</translation>
    </message>
    <message>
        <source>Level 1 overdue:</source>
        <translation>一级超时：</translation>
    </message>
    <message>
        <source>+{count} more</source>
        <translation>另有 {count} 条</translation>
    </message>
    <message>
        <source>Repeated problems, last {days} days ({span}):</source>
        <translation>近{days}天（{span}）重复问题：</translation>
    </message>
    <message>
        <source>{what}: {days}+ days in a row ({span}), {tickets} tickets</source>
        <translation>{what}：连续 {days} 天以上（{span}），{tickets} 单</translation>
    </message>
    <message>
        <source>{what}: {days} days in a row ({span}), {tickets} tickets</source>
        <translation>{what}：连续 {days} 天（{span}），{tickets} 单</translation>
    </message>
    <message>
        <source>{number} {problem}, {late} late</source>
        <translation>{number} {problem}，超时 {late}</translation>
    </message>
</context>
<context>
    <name>CategoryChart</name>
    <message>
        <source>Tickets</source>
        <translation>投诉单数</translation>
    </message>
</context>
<context>
    <name>CompensationForm</name>
    <message>
        <source>Amount in yuan, e.g. 50 or 12.50</source>
        <translation>金额（元），如 50 或 12.50</translation>
    </message>
    <message>
        <source>Why, for the record (optional)</source>
        <translation>补偿说明（选填）</translation>
    </message>
    <message>
        <source>&amp;Kind</source>
        <translation>补偿方式(&amp;K)</translation>
    </message>
    <message>
        <source>Amount (&amp;yuan)</source>
        <translation>金额（元）(&amp;Y)</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Send for approva&amp;l</source>
        <translation>提交审批(&amp;L)</translation>
    </message>
    <message>
        <source>Manager&apos;s employee id</source>
        <translation>店长工号</translation>
    </message>
    <message>
        <source>Manager&apos;s PIN</source>
        <translation>店长 PIN</translation>
    </message>
    <message>
        <source>Manager approves &amp;here</source>
        <translation>店长当场授权(&amp;H)</translation>
    </message>
    <message>
        <source>Manager approval on the spot</source>
        <translation>店长当场授权</translation>
    </message>
    <message>
        <source>Manager &amp;id</source>
        <translation>店长工号(&amp;I)</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>PIN</translation>
    </message>
    <message>
        <source>Log in and open a ticket to compensate.</source>
        <translation>请先登录并打开工单，再办理补偿。</translation>
    </message>
    <message>
        <source>Your limit ({role}): {limit} yuan per ticket without approval</source>
        <translation>您的授权额度（{role}）：每单 {limit} 元以内无需审批</translation>
    </message>
    <message>
        <source>Store today: {used} of {cap} yuan granted ({left} left)</source>
        <translation>本店今日已补偿 {used} 元，每日上限 {cap} 元（还剩 {left} 元）</translation>
    </message>
    <message>
        <source>This customer: {count} of {max} grants in {days} days</source>
        <translation>该顾客 {days} 天内已获补偿 {count} 次（上限 {max} 次）</translation>
    </message>
    <message>
        <source>No phone on the ticket: the customer&apos;s grants are not counted</source>
        <translation>工单没有手机号：无法统计该顾客的补偿次数</translation>
    </message>
    <message>
        <source>Suggestion: none for this ticket</source>
        <translation>建议：本单无建议补偿</translation>
    </message>
    <message>
        <source>Suggestion: {kind} {amount} yuan (food safety: ten times the price paid, at least the statutory minimum)</source>
        <translation>建议：{kind} {amount} 元（食品安全：价款十倍，不低于法定最低额）</translation>
    </message>
    <message>
        <source>Suggestion: {kind}</source>
        <translation>建议：{kind}</translation>
    </message>
    <message>
        <source>Within your limit: granted when you save.</source>
        <translation>在您的额度内：保存即发放。</translation>
    </message>
    <message>
        <source>Above the store&apos;s limits: it goes to the regional manager for approval.</source>
        <translation>超出门店权限：将提交区域经理审批。</translation>
    </message>
    <message>
        <source>Send to the regional manager for approva&amp;l</source>
        <translation>提交区域经理审批(&amp;L)</translation>
    </message>
    <message>
        <source>Above the store&apos;s limits: it goes to headquarters for approval.</source>
        <translation>超出门店权限：将提交总部审批。</translation>
    </message>
    <message>
        <source>Send to headquarters for approva&amp;l</source>
        <translation>提交总部审批(&amp;L)</translation>
    </message>
    <message>
        <source>This customer had many grants recently: a manager must approve.</source>
        <translation>该顾客近期补偿次数较多：须店长审批。</translation>
    </message>
    <message>
        <source>Above your limit: a manager approves now with their PIN, or send it for approval.</source>
        <translation>超出您的额度：请店长输入 PIN 当场授权，或提交审批。</translation>
    </message>
    <message>
        <source>Enter the manager&apos;s employee id.</source>
        <translation>请输入店长工号。</translation>
    </message>
    <message>
        <source>The manager enters their PIN.</source>
        <translation>请店长输入 PIN。</translation>
    </message>
    <message>
        <source>Enter an amount.</source>
        <translation>请输入金额。</translation>
    </message>
    <message>
        <source>Granted</source>
        <translation>已发放</translation>
    </message>
    <message>
        <source>Waiting for approval</source>
        <translation>待审批</translation>
    </message>
    <message>
        <source>Refused</source>
        <translation>已拒绝</translation>
    </message>
    <message>
        <source>Waiting for the regional manager</source>
        <translation>等待区域经理审批</translation>
    </message>
    <message>
        <source>Waiting for headquarters</source>
        <translation>等待总部审批</translation>
    </message>
    <message>
        <source>{status}: {kind} {amount} yuan. {reason}</source>
        <translation>{status}：{kind} {amount} 元。{reason}</translation>
    </message>
</context>
<context>
    <name>ComplianceChart</name>
    <message>
        <source>Responded in time (%)</source>
        <translation>按时响应 (%)</translation>
    </message>
</context>
<context>
    <name>CustomerFacts</name>
    <message>
        <source>Customer: {name}</source>
        <translation>顾客：{name}</translation>
    </message>
    <message>
        <source>Phone: {phone}</source>
        <translation>电话：{phone}</translation>
    </message>
    <message>
        <source>{count} customers</source>
        <translation>{count} 位顾客</translation>
    </message>
    <message>
        <source>Product: {name}</source>
        <translation>商品：{name}</translation>
    </message>
    <message>
        <source>SKU: {sku}</source>
        <translation>SKU：{sku}</translation>
    </message>
    <message>
        <source>Paid: {amount}</source>
        <translation>实付：{amount}</translation>
    </message>
</context>
<context>
    <name>DrillList</name>
    <message>
        <source>Click a figure, a bar or a row to list the tickets behind it.</source>
        <translation>点击任一数字、柱形或表格行，查看对应的工单。</translation>
    </message>
    <message>
        <source>Ticket</source>
        <translation>工单</translation>
    </message>
    <message>
        <source>Level</source>
        <translation>级别</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Problem</source>
        <translation>问题</translation>
    </message>
    <message>
        <source>Recorded</source>
        <translation>登记时间</translation>
    </message>
    <message>
        <source>Complaint</source>
        <translation>投诉内容</translation>
    </message>
    <message>
        <source>{what}: computing…</source>
        <translation>{what}：计算中…</translation>
    </message>
    <message>
        <source> (first {limit} shown)</source>
        <translation>（仅显示前 {limit} 单）</translation>
    </message>
    <message>
        <source>{what}: {count} tickets</source>
        <translation>{what}：{count} 单</translation>
    </message>
</context>
<context>
    <name>IntakeInsights</name>
    <message>
        <source>Respond within {hours} h</source>
        <translation>{hours}小时内响应</translation>
    </message>
    <message>
        <source>Respond within {minutes} min</source>
        <translation>{minutes}分钟内响应</translation>
    </message>
    <message>
        <source>Model: level-1 risk ({flag}, {percent}%) from “{words}”</source>
        <translation>模型判断为一级风险（{flag}，{percent}%）：“{words}”</translation>
    </message>
    <message>
        <source>Model: this subcategory ({percent}%) from “{words}”</source>
        <translation>模型判断为此子类（{percent}%）：“{words}”</translation>
    </message>
    <message>
        <source>Model: an inquiry ({percent}%)</source>
        <translation>模型判断为咨询（{percent}%）</translation>
    </message>
    <message>
        <source>Keyword “{word}”</source>
        <translation>关键词“{word}”</translation>
    </message>
    <message>
        <source>Inquiry word “{word}”</source>
        <translation>咨询用语“{word}”</translation>
    </message>
    <message>
        <source>Loss word “{word}”</source>
        <translation>损失用语“{word}”</translation>
    </message>
    <message>
        <source>Channel {channel}</source>
        <translation>渠道：{channel}</translation>
    </message>
    <message>
        <source>No keyword matched</source>
        <translation>未匹配到关键词</translation>
    </message>
    <message>
        <source>Graded by model {version}</source>
        <translation>分级模型 {version}</translation>
    </message>
    <message>
        <source>{flag}: {count} such complaints in a short time</source>
        <translation>{flag}：短时间内同类投诉 {count} 起</translation>
    </message>
    <message>
        <source>{count} customers</source>
        <translation>{count} 位顾客</translation>
    </message>
    <message>
        <source>Suggested triage</source>
        <translation>分级建议</translation>
    </message>
    <message>
        <source>Response scripts</source>
        <translation>话术</translation>
    </message>
    <message>
        <source>Possible duplicates</source>
        <translation>可能重复</translation>
    </message>
    <message>
        <source>Similar resolved complaints</source>
        <translation>类似已办结客诉</translation>
    </message>
    <message>
        <source>Customer&apos;s earlier complaints</source>
        <translation>该顾客以往客诉</translation>
    </message>
    <message>
        <source>Type the complaint to see the suggestion</source>
        <translation>输入客诉内容后显示分级建议</translation>
    </message>
    <message>
        <source>same customer</source>
        <translation>同一顾客</translation>
    </message>
    <message>
        <source>similar text</source>
        <translation>内容相似</translation>
    </message>
    <message>
        <source>{number} · {reason} · {percent}% alike</source>
        <translation>{number} · {reason} · 相似度 {percent}%</translation>
    </message>
    <message>
        <source>Resolved: {note}</source>
        <translation>处理：{note}</translation>
    </message>
    <message>
        <source>Compensation: {items}</source>
        <translation>补偿：{items}</translation>
    </message>
    <message>
        <source>Accountability: {outcome}</source>
        <translation>奖惩：{outcome}</translation>
    </message>
    <message>
        <source>Customer said: {comment}</source>
        <translation>顾客评价：{comment}</translation>
    </message>
    <message>
        <source>No earlier complaints from {phone}</source>
        <translation>{phone} 以往无客诉</translation>
    </message>
    <message>
        <source>{phone}: {count} earlier, {open} open; ¥{granted} in {days} days ({grants}×)</source>
        <translation>{phone}：以往 {count} 单，未办结 {open} 单；近 {days} 天补偿 ¥{granted}（{grants} 次）</translation>
    </message>
</context>
<context>
    <name>IntakePanel</name>
    <message>
        <source>What happened, in the customer&apos;s words</source>
        <translation>按顾客原话记录发生了什么</translation>
    </message>
    <message>
        <source>Mobile or landline</source>
        <translation>手机或座机</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>保存(&amp;S)</translation>
    </message>
    <message>
        <source>Save the complaint (Ctrl+Enter)</source>
        <translation>保存客诉（Ctrl+Enter）</translation>
    </message>
    <message>
        <source>C&amp;hannel</source>
        <translation>渠道(&amp;H)</translation>
    </message>
    <message>
        <source>S&amp;KU</source>
        <translation>商品编码(&amp;K)</translation>
    </message>
    <message>
        <source>Complaint te&amp;xt</source>
        <translation>客诉内容(&amp;X)</translation>
    </message>
    <message>
        <source>Customer phon&amp;e</source>
        <translation>顾客电话(&amp;E)</translation>
    </message>
    <message>
        <source>Customer na&amp;me</source>
        <translation>顾客姓名(&amp;M)</translation>
    </message>
    <message>
        <source>Mem&amp;ber tier</source>
        <translation>会员等级(&amp;B)</translation>
    </message>
    <message>
        <source>&amp;Customers affected</source>
        <translation>涉及人数(&amp;C)</translation>
    </message>
    <message>
        <source>Prod&amp;uct</source>
        <translation>商品名称(&amp;U)</translation>
    </message>
    <message>
        <source>Amount pa&amp;id (yuan)</source>
        <translation>实付金额（元）(&amp;I)</translation>
    </message>
    <message>
        <source>Please correct the marked fields.</source>
        <translation>请修改标红的内容。</translation>
    </message>
    <message>
        <source>Log in to save the complaint.</source>
        <translation>请先登录再保存。</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <source>Saved {number}</source>
        <translation>已保存 {number}</translation>
    </message>
    <message>
        <source>Not saved: {reason}</source>
        <translation>未保存：{reason}</translation>
    </message>
</context>
<context>
    <name>LoginForm</name>
    <message>
        <source>Staff &amp;ID</source>
        <translation>工号(&amp;I)</translation>
    </message>
    <message>
        <source>&amp;PIN</source>
        <translation>PIN(&amp;P)</translation>
    </message>
    <message>
        <source>Log in</source>
        <translation>登录</translation>
    </message>
    <message>
        <source>e.g. d01</source>
        <translation>例如 d01</translation>
    </message>
    <message>
        <source>Enter your staff ID.</source>
        <translation>请输入工号。</translation>
    </message>
    <message>
        <source>Enter your PIN.</source>
        <translation>请输入密码。</translation>
    </message>
</context>
<context>
    <name>LoginWidget</name>
    <message>
        <source>Kesu complaint desk</source>
        <translation>客诉服务台</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <source>Demo store: staff and PINs (double-click to fill)</source>
        <translation>演示门店：员工与密码（双击填入）</translation>
    </message>
    <message>
        <source>ID</source>
        <translation>工号</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>岗位</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>PIN</translation>
    </message>
    <message>
        <source>Locked. {name} can go on with their PIN; another staff member can log in with their own ID. Open forms are kept.</source>
        <translation>已锁定。{name} 输入密码即可继续；换人请输入自己的工号和密码。未保存的表单会保留。</translation>
    </message>
    <message>
        <source>Log in with your staff ID and PIN.</source>
        <translation>请输入工号和密码登录。</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Kesu complaint desk - {store} {desk}</source>
        <translation>客诉服务台 - {store} {desk}</translation>
    </message>
    <message>
        <source>Lock</source>
        <translation>锁屏</translation>
    </message>
    <message>
        <source>New complaint</source>
        <translation>新登记</translation>
    </message>
    <message>
        <source>Quick entry</source>
        <translation>快速登记</translation>
    </message>
    <message>
        <source>Print queue</source>
        <translation>打印队列</translation>
    </message>
    <message>
        <source>&amp;Desk</source>
        <translation>服务台(&amp;D)</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>Unsaved complaint</source>
        <translation>客诉未保存</translation>
    </message>
    <message>
        <source>A complaint was typed but not saved. Close anyway and lose it?</source>
        <translation>有一条客诉已填写但未保存。仍要关闭并放弃它吗？</translation>
    </message>
</context>
<context>
    <name>PrintDialog</name>
    <message>
        <source>Print receipt - {number}</source>
        <translation>打印回执 - {number}</translation>
    </message>
    <message>
        <source>80 mm roll</source>
        <translation>80 毫米小票</translation>
    </message>
    <message>
        <source>A4</source>
        <translation>A4</translation>
    </message>
    <message>
        <source>Print the complaint receipt after each &amp;quick entry</source>
        <translation>快速登记后自动打印受理回执(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Receipt:</source>
        <translation>回执类型(&amp;R)：</translation>
    </message>
    <message>
        <source>Compensation &amp;line:</source>
        <translation>补偿记录(&amp;L)：</translation>
    </message>
    <message>
        <source>&amp;Format:</source>
        <translation>纸张格式(&amp;F)：</translation>
    </message>
    <message>
        <source>Pr&amp;inter:</source>
        <translation>打印机(&amp;I)：</translation>
    </message>
    <message>
        <source>&amp;Print</source>
        <translation>打印(&amp;P)</translation>
    </message>
    <message>
        <source>Cl&amp;ose</source>
        <translation>关闭(&amp;O)</translation>
    </message>
    <message>
        <source>The receipt is saved as a PDF file in {folder}.</source>
        <translation>回执将保存为 PDF 文件，位置：{folder}。</translation>
    </message>
    <message>
        <source>No printer is set up for this desk: the receipt is saved as a PDF file in {folder}. Choose the printer above if the desk has one.</source>
        <translation>本服务台尚未设置打印机：回执将保存为 PDF 文件，位置：{folder}。如有打印机，请在上方选择。</translation>
    </message>
</context>
<context>
    <name>PrintQueue</name>
    <message>
        <source>Complaint receipt</source>
        <translation>受理回执</translation>
    </message>
    <message>
        <source>Compensation voucher</source>
        <translation>补偿凭证</translation>
    </message>
    <message>
        <source>Closing slip</source>
        <translation>完结单</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>待打印</translation>
    </message>
    <message>
        <source>Printing</source>
        <translation>打印中</translation>
    </message>
    <message>
        <source>Printed</source>
        <translation>已打印</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>ESC/POS thermal printer ({target})</source>
        <translation>ESC/POS 热敏打印机（{target}）</translation>
    </message>
    <message>
        <source>PDF file ({folder})</source>
        <translation>PDF 文件（{folder}）</translation>
    </message>
</context>
<context>
    <name>PrintQueueIndicator</name>
    <message>
        <source>Print queue: {failed} failed, {waiting} waiting</source>
        <translation>打印队列：{failed} 失败，{waiting} 待打印</translation>
    </message>
    <message>
        <source>Print queue: {failed} failed</source>
        <translation>打印队列：{failed} 失败</translation>
    </message>
    <message>
        <source>Print queue: {waiting} waiting</source>
        <translation>打印队列：{waiting} 待打印</translation>
    </message>
</context>
<context>
    <name>PrintQueuePanel</name>
    <message>
        <source>Print queue</source>
        <translation>打印队列</translation>
    </message>
    <message>
        <source>Job</source>
        <translation>任务</translation>
    </message>
    <message>
        <source>Ticket</source>
        <translation>工单</translation>
    </message>
    <message>
        <source>Receipt</source>
        <translation>回执</translation>
    </message>
    <message>
        <source>Printer</source>
        <translation>打印机</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Attempts</source>
        <translation>尝试次数</translation>
    </message>
    <message>
        <source>Requested</source>
        <translation>提交时间</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>错误</translation>
    </message>
    <message>
        <source>&amp;Retry</source>
        <translation>重试(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Cancel job</source>
        <translation>取消任务(&amp;C)</translation>
    </message>
    <message>
        <source>C&amp;lose</source>
        <translation>关闭(&amp;L)</translation>
    </message>
</context>
<context>
    <name>PrintRender</name>
    <message>
        <source>The receipt could not be read as a PDF</source>
        <translation>回执 PDF 无法读取</translation>
    </message>
    <message>
        <source>The receipt page could not be drawn</source>
        <translation>回执页面无法绘制</translation>
    </message>
    <message>
        <source>Cannot use the folder {folder}: {reason}</source>
        <translation>无法使用文件夹 {folder}：{reason}</translation>
    </message>
    <message>
        <source>Cannot write to the folder {folder}</source>
        <translation>无法写入文件夹 {folder}</translation>
    </message>
    <message>
        <source>Printer {name} is not installed on this computer</source>
        <translation>本机未安装打印机 {name}</translation>
    </message>
    <message>
        <source>Printer {name} reports an error: offline, out of paper?</source>
        <translation>打印机 {name} 报错：离线或缺纸？</translation>
    </message>
    <message>
        <source>Printer {name} did not accept the job</source>
        <translation>打印机 {name} 未接受打印任务</translation>
    </message>
    <message>
        <source>Printer {name} broke off the job</source>
        <translation>打印机 {name} 中断了打印</translation>
    </message>
</context>
<context>
    <name>Printing</name>
    <message>
        <source>Receipt saved as a PDF file: {path}</source>
        <translation>回执已保存为 PDF 文件：{path}</translation>
    </message>
</context>
<context>
    <name>ProductAlertStrip</name>
    <message>
        <source>Product alert: {label}, complained about in {stores} stores in the last {days} days; please check the shelves</source>
        <translation>商品预警：{label} 近{days}天 {stores} 家门店被投诉，请检查货架</translation>
    </message>
    <message>
        <source>Product alerts from headquarters ({count})</source>
        <translation>总部商品预警（{count}）</translation>
    </message>
    <message>
        <source>{tickets} complaints across the stores</source>
        <translation>各门店共 {tickets} 单投诉</translation>
    </message>
</context>
<context>
    <name>QuickEntryWindow</name>
    <message>
        <source>Quick entry</source>
        <translation>快速登记</translation>
    </message>
    <message>
        <source>Log in to record complaints</source>
        <translation>登录后登记客诉</translation>
    </message>
    <message>
        <source>Empty note: 1–{count} picks the category · Alt+number changes it · Esc hides</source>
        <translation>情况为空时按 1–{count} 选分类 · Alt+数字改分类 · Esc 隐藏</translation>
    </message>
    <message>
        <source>What happened, in a few words</source>
        <translation>简要说明情况</translation>
    </message>
    <message>
        <source>Customer phone (optional)</source>
        <translation>顾客电话（可不填）</translation>
    </message>
    <message>
        <source>Yuan (optional)</source>
        <translation>补偿金额（元，可不填）</translation>
    </message>
    <message>
        <source>&amp;Note</source>
        <translation>备注(&amp;N)</translation>
    </message>
    <message>
        <source>P&amp;hone</source>
        <translation>电话(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;Amount</source>
        <translation>补偿(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;Save (Enter)</source>
        <translation>保存（回车）(&amp;S)</translation>
    </message>
    <message>
        <source>Ctrl+L locks · Ctrl+Shift+L changes cashier</source>
        <translation>Ctrl+L 锁定 · Ctrl+Shift+L 换收银员</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <source>Pick a category first: press 1–{count}</source>
        <translation>请先选分类：按 1–{count}</translation>
    </message>
    <message>
        <source>Say in a few words what happened</source>
        <translation>请简要说明情况</translation>
    </message>
    <message>
        <source>Above your limit of {limit} yuan: the complaint is saved and the compensation waits for the regional manager&apos;s approval.</source>
        <translation>超出您的额度 {limit} 元：客诉照常保存，补偿等待区域经理审批。</translation>
    </message>
    <message>
        <source>Above your limit of {limit} yuan: the complaint is saved and the compensation waits for headquarters&apos; approval.</source>
        <translation>超出您的额度 {limit} 元：客诉照常保存，补偿提交总部审批。</translation>
    </message>
    <message>
        <source>Above your limit of {limit} yuan: the complaint is saved and the compensation waits for a manager&apos;s approval.</source>
        <translation>超出您的额度 {limit} 元：客诉照常保存，补偿提交店长审批。</translation>
    </message>
    <message>
        <source>Saved {number} ✓</source>
        <translation>已保存 {number} ✓</translation>
    </message>
    <message>
        <source>category {chosen} (triage said {triaged})</source>
        <translation>分类按您选的“{chosen}”（系统判断为“{triaged}”）</translation>
    </message>
    <message>
        <source>{kind} {amount} yuan granted</source>
        <translation>{kind} {amount} 元已发放</translation>
    </message>
    <message>
        <source>{kind} {amount} yuan is NOT given yet: it waits for the regional manager&apos;s approval</source>
        <translation>{kind} {amount} 元尚未发放：等待区域经理审批</translation>
    </message>
    <message>
        <source>{kind} {amount} yuan is NOT given yet: it waits for headquarters&apos; approval</source>
        <translation>{kind} {amount} 元尚未发放：待总部审批</translation>
    </message>
    <message>
        <source>{kind} {amount} yuan is NOT given yet: it waits for a manager&apos;s approval</source>
        <translation>{kind} {amount} 元尚未发放：待店长审批</translation>
    </message>
    <message>
        <source>compensation refused: {reason}</source>
        <translation>补偿未通过：{reason}</translation>
    </message>
    <message>
        <source>{level} alert raised</source>
        <translation>已发出{level}预警</translation>
    </message>
    <message>
        <source>Your limit {limit} yuan</source>
        <translation>本人限额 {limit} 元</translation>
    </message>
</context>
<context>
    <name>ReportDashboard</name>
    <message>
        <source>Today</source>
        <translation>今天</translation>
    </message>
    <message>
        <source>This week</source>
        <translation>本周</translation>
    </message>
    <message>
        <source>This month</source>
        <translation>本月</translation>
    </message>
    <message>
        <source>Last month</source>
        <translation>上月</translation>
    </message>
    <message>
        <source>Custom</source>
        <translation>自定义</translation>
    </message>
    <message>
        <source>Per&amp;iod</source>
        <translation>期间(&amp;I)</translation>
    </message>
    <message>
        <source>Fro&amp;m</source>
        <translation>从(&amp;M)</translation>
    </message>
    <message>
        <source>&amp;Until</source>
        <translation>至(&amp;U)</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Compute the figures again (F5)</source>
        <translation>重新计算 (F5)</translation>
    </message>
    <message>
        <source>Computing…</source>
        <translation>计算中…</translation>
    </message>
    <message>
        <source>{period} ({days} days), compared with {previous}; computed at {time}</source>
        <translation>{period}（{days} 天），对比上期 {previous}；{time} 计算</translation>
    </message>
</context>
<context>
    <name>ReportSections</name>
    <message>
        <source>Tickets</source>
        <translation>投诉单数</translation>
    </message>
    <message>
        <source>Responded in time</source>
        <translation>按时响应率</translation>
    </message>
    <message>
        <source>First response (mean)</source>
        <translation>首次响应（平均）</translation>
    </message>
    <message>
        <source>Resolved</source>
        <translation>解决率</translation>
    </message>
    <message>
        <source>Reopened</source>
        <translation>重开率</translation>
    </message>
    <message>
        <source>First-contact resolution</source>
        <translation>首问解决率</translation>
    </message>
    <message>
        <source>Satisfaction</source>
        <translation>满意度</translation>
    </message>
    <message>
        <source>Compensation granted</source>
        <translation>发放补偿</translation>
    </message>
    <message>
        <source>Overdue now</source>
        <translation>当前超时</translation>
    </message>
    <message>
        <source>Tickets by category</source>
        <translation>各分类投诉数</translation>
    </message>
    <message>
        <source>Responded in time, by level</source>
        <translation>各级别按时响应率</translation>
    </message>
    <message>
        <source>Tickets per day</source>
        <translation>每日投诉数</translation>
    </message>
    <message>
        <source>Problem</source>
        <translation>问题</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>分类</translation>
    </message>
    <message>
        <source>Level 1</source>
        <translation>一级</translation>
    </message>
    <message>
        <source>Most named product</source>
        <translation>最常提到的商品</translation>
    </message>
    <message>
        <source>Repeated problem</source>
        <translation>重复问题</translation>
    </message>
    <message>
        <source>Days in a row</source>
        <translation>连续天数</translation>
    </message>
    <message>
        <source>Days</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>Subcategory</source>
        <translation>子分类</translation>
    </message>
    <message>
        <source>Channel</source>
        <translation>渠道</translation>
    </message>
    <message>
        <source>Level</source>
        <translation>级别</translation>
    </message>
    <message>
        <source>&amp;Breakdown by</source>
        <translation>分组方式(&amp;B)</translation>
    </message>
    <message>
        <source>Share</source>
        <translation>占比</translation>
    </message>
    <message>
        <source>Item</source>
        <translation>项目</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>方式</translation>
    </message>
    <message>
        <source>Grants</source>
        <translation>笔数</translation>
    </message>
    <message>
        <source>Total (yuan)</source>
        <translation>合计（元）</translation>
    </message>
    <message>
        <source>Granted by</source>
        <translation>发放人</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>岗位</translation>
    </message>
    <message>
        <source>Largest</source>
        <translation>单笔最高</translation>
    </message>
    <message>
        <source>Role limit</source>
        <translation>角色限额</translation>
    </message>
    <message>
        <source>Above limit</source>
        <translation>超限笔数</translation>
    </message>
    <message>
        <source>Ticket</source>
        <translation>工单</translation>
    </message>
    <message>
        <source>Due</source>
        <translation>响应时限</translation>
    </message>
    <message>
        <source>Overdue by</source>
        <translation>已超时</translation>
    </message>
    <message>
        <source>Handler</source>
        <translation>处理人</translation>
    </message>
    <message>
        <source>Repeat-problem alerts</source>
        <translation>重复问题预警</translation>
    </message>
    <message>
        <source>Top 3 problems</source>
        <translation>前三大问题</translation>
    </message>
    <message>
        <source>Tickets by…</source>
        <translation>投诉分布</translation>
    </message>
    <message>
        <source>Compensation</source>
        <translation>补偿</translation>
    </message>
    <message>
        <source>Busiest day {day}: {amount} / cap {cap}</source>
        <translation>最高日 {day}：{amount} / 日上限 {cap}</translation>
    </message>
    <message>
        <source>Daily cap {cap}</source>
        <translation>日上限 {cap}</translation>
    </message>
    <message>
        <source>voided {voided}, merged {merged}</source>
        <translation>作废 {voided}，合并 {merged}</translation>
    </message>
    <message>
        <source>{in_time} of {decided} in time</source>
        <translation>{decided} 单中 {in_time} 单按时</translation>
    </message>
    <message>
        <source>90% within {p90}; {count} responded</source>
        <translation>90% 在 {p90} 内；已响应 {count} 单</translation>
    </message>
    <message>
        <source>{resolved} of {tickets} closed</source>
        <translation>{tickets} 单中已结案 {resolved} 单</translation>
    </message>
    <message>
        <source>{reopened} of {closed} ever closed</source>
        <translation>结案 {closed} 单中重开 {reopened} 单</translation>
    </message>
    <message>
        <source>{rated} rated</source>
        <translation>{rated} 单已评价</translation>
    </message>
    <message>
        <source>level 1: {count}</source>
        <translation>其中一级 {count} 单</translation>
    </message>
    <message>
        <source>whatever the period</source>
        <translation>不限期间</translation>
    </message>
    <message>
        <source>{resolved} of {tickets} closed at first contact</source>
        <translation>{resolved} / {tickets} 单首问解决</translation>
    </message>
    <message>
        <source>No complaints in this period.</source>
        <translation>本期没有投诉。</translation>
    </message>
    <message>
        <source>Product: {name}</source>
        <translation>商品：{name}</translation>
    </message>
    <message>
        <source>No problem repeated on consecutive days.</source>
        <translation>没有连续多天重复的问题。</translation>
    </message>
    <message>
        <source>Repeat-problem alerts: {days}+ days in a row, reaching into {span}</source>
        <translation>重复问题预警：连续 {days} 天及以上，延续到 {span}</translation>
    </message>
    <message>
        <source>No compensation granted.</source>
        <translation>没有发放补偿。</translation>
    </message>
    <message>
        <source>Waiting for approval: {pending} ({pending_amount}); refused: {refused}.</source>
        <translation>待审批 {pending} 笔（{pending_amount}）；已拒绝 {refused} 笔。</translation>
    </message>
    <message>
        <source>Nothing overdue.</source>
        <translation>没有超时工单。</translation>
    </message>
</context>
<context>
    <name>Scripts</name>
    <message>
        <source>Say first</source>
        <translation>先说</translation>
    </message>
    <message>
        <source>Check</source>
        <translation>核实</translation>
    </message>
    <message>
        <source>May offer</source>
        <translation>可提供</translation>
    </message>
    <message>
        <source>Never promise</source>
        <translation>不可承诺</translation>
    </message>
    <message>
        <source>Legal rule</source>
        <translation>法规</translation>
    </message>
    <message>
        <source>Offer at most ¥{amount}</source>
        <translation>最多可给 ¥{amount}</translation>
    </message>
    <message>
        <source>: </source>
        <translation>：</translation>
    </message>
</context>
<context>
    <name>ScriptsView</name>
    <message>
        <source>Search the script library, e.g. 异味</source>
        <translation>搜索话术库，如：异味</translation>
    </message>
    <message>
        <source>Copy into the note</source>
        <translation>复制到备注</translation>
    </message>
    <message>
        <source>Put the script into the note box; the note is saved when you press Save</source>
        <translation>把话术放进备注框；按“保存”才会保存备注</translation>
    </message>
    <message>
        <source>Helpful</source>
        <translation>有帮助</translation>
    </message>
    <message>
        <source>{count} found in the script library</source>
        <translation>话术库中找到 {count} 条</translation>
    </message>
    <message>
        <source>{count} found, the first {shown} listed</source>
        <translation>找到 {count} 条，列出前 {shown} 条</translation>
    </message>
    <message>
        <source>For {subcategory}, {level}</source>
        <translation>适用于{subcategory}，{level}</translation>
    </message>
    <message>
        <source>No script for {subcategory}, {level}</source>
        <translation>{subcategory}，{level}：暂无话术</translation>
    </message>
    <message>
        <source>No script library yet: it comes from headquarters with sync</source>
        <translation>还没有话术库：总部发布后随同步下发</translation>
    </message>
    <message>
        <source>Marked helpful</source>
        <translation>已标记有帮助</translation>
    </message>
    <message>
        <source>This ticket takes no note now.</source>
        <translation>此工单现在不能添加备注。</translation>
    </message>
    <message>
        <source>Copied into the note: check it and press Save.</source>
        <translation>已复制到备注：请核对后按“保存”。</translation>
    </message>
    <message>
        <source>Marked helpful: thank you.</source>
        <translation>已标记有帮助，谢谢。</translation>
    </message>
</context>
<context>
    <name>StatusLine</name>
    <message>
        <source>Logged in: {name} ({role})</source>
        <translation>当前：{name}（{role}）</translation>
    </message>
    <message>
        <source>Nobody logged in</source>
        <translation>未登录</translation>
    </message>
    <message>
        <source>Policy {version}</source>
        <translation>政策版本 {version}</translation>
    </message>
    <message>
        <source>Offline desk (not enrolled for sync)</source>
        <translation>单机模式（未接入总部同步）</translation>
    </message>
    <message>
        <source>Sync: update Kesu to keep receiving changes</source>
        <translation>同步：请升级客诉软件以继续接收更新</translation>
    </message>
    <message>
        <source>never</source>
        <translation>从未</translation>
    </message>
    <message>
        <source>Sync: {pending} waiting, last success {last}</source>
        <translation>同步：待上传 {pending} 条，上次成功 {last}</translation>
    </message>
    <message>
        <source>last error: {error}</source>
        <translation>最近错误：{error}</translation>
    </message>
    <message>
        <source>{count} waiting for the centre cannot reach it: enrol and sync</source>
        <translation>{count} 笔待中心审批无法送达，需登记同步</translation>
    </message>
</context>
<context>
    <name>TicketActions</name>
    <message>
        <source>Return for re&amp;work</source>
        <translation>退回整改(&amp;W)</translation>
    </message>
    <message>
        <source>&amp;Close ticket</source>
        <translation>完结工单(&amp;C)</translation>
    </message>
    <message>
        <source>Contact c&amp;ustomer</source>
        <translation>联系顾客(&amp;U)</translation>
    </message>
    <message>
        <source>Co&amp;mpensate</source>
        <translation>补偿(&amp;M)</translation>
    </message>
    <message>
        <source>Record ratin&amp;g</source>
        <translation>回访评价(&amp;G)</translation>
    </message>
    <message>
        <source>Take it (&amp;Z)</source>
        <translation>由我处理(&amp;Z)</translation>
    </message>
    <message>
        <source>Give to a colleague (&amp;X)…</source>
        <translation>转给同事(&amp;X)…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>请选择…</translation>
    </message>
    <message>
        <source>Accountabilit&amp;y</source>
        <translation>奖惩结果(&amp;Y)</translation>
    </message>
    <message>
        <source>Su&amp;bject (staff or supplier)</source>
        <translation>对象（员工或供应商）(&amp;B)</translation>
    </message>
    <message>
        <source>&amp;How</source>
        <translation>方式(&amp;H)</translation>
    </message>
    <message>
        <source>What was sa&amp;id</source>
        <translation>沟通内容(&amp;I)</translation>
    </message>
    <message>
        <source>Choose 1–5</source>
        <translation>请选 1–5</translation>
    </message>
    <message>
        <source>Start re&amp;ctifying</source>
        <translation>开始整改(&amp;C)</translation>
    </message>
    <message>
        <source>Send for revie&amp;w</source>
        <translation>提交复核(&amp;W)</translation>
    </message>
    <message>
        <source>Review pa&amp;ssed</source>
        <translation>复核通过(&amp;S)</translation>
    </message>
    <message>
        <source>Settled on the spot (&amp;J)</source>
        <translation>首问解决(&amp;J)</translation>
    </message>
    <message>
        <source>Add not&amp;e</source>
        <translation>添加备注(&amp;E)</translation>
    </message>
    <message>
        <source>Reopen</source>
        <translation>重开</translation>
    </message>
    <message>
        <source>Merge</source>
        <translation>合并</translation>
    </message>
    <message>
        <source>Correct triage</source>
        <translation>更正分级</translation>
    </message>
    <message>
        <source>Void</source>
        <translation>作废</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Note (optional)</source>
        <translation>备注（选填）</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>What settled it (&amp;W)</source>
        <translation>处理情况(&amp;W)</translation>
    </message>
    <message>
        <source>&amp;Satisfaction (1–5)</source>
        <translation>满意度（1–5）(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Comment</source>
        <translation>顾客意见(&amp;C)</translation>
    </message>
    <message>
        <source>W&amp;hy</source>
        <translation>原因(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;Into ticket number</source>
        <translation>合并到工单号(&amp;I)</translation>
    </message>
    <message>
        <source>W&amp;hy (optional)</source>
        <translation>原因（选填）(&amp;H)</translation>
    </message>
    <message>
        <source>Categor&amp;y</source>
        <translation>分类(&amp;Y)</translation>
    </message>
    <message>
        <source>Su&amp;bcategory</source>
        <translation>子类(&amp;B)</translation>
    </message>
    <message>
        <source>&amp;Level</source>
        <translation>等级(&amp;L)</translation>
    </message>
    <message>
        <source>W&amp;hy (entered in error…)</source>
        <translation>原因（误录等）(&amp;H)</translation>
    </message>
    <message>
        <source>Colleague</source>
        <translation>同事</translation>
    </message>
    <message>
        <source>The ticket changed meanwhile: this step is no longer offered. What you typed is kept.</source>
        <translation>工单已被更新，此步骤已不再可用。已输入的内容仍保留。</translation>
    </message>
    <message>
        <source>{number}: {frm} → {to}</source>
        <translation>{number}：{frm} → {to}</translation>
    </message>
    <message>
        <source>Close: record the accountability outcome</source>
        <translation>完结：记录奖惩结果</translation>
    </message>
    <message>
        <source>{number}: give it to a colleague</source>
        <translation>{number}：转给同事处理</translation>
    </message>
    <message>
        <source>Close at first contact: settled on the spot, without rectifying, review and accountability. Say what was done.</source>
        <translation>首问解决结案：当场已解决，无需整改、复核、奖惩。请写明处理情况。</translation>
    </message>
    <message>
        <source>Correct the category, subcategory or level</source>
        <translation>更正分类、子类或等级</translation>
    </message>
    <message>
        <source>Contact with the customer</source>
        <translation>联系顾客</translation>
    </message>
    <message>
        <source>Note on the ticket</source>
        <translation>工单备注</translation>
    </message>
    <message>
        <source>Follow-up: the customer&apos;s satisfaction</source>
        <translation>回访：顾客满意度</translation>
    </message>
    <message>
        <source>Reopen: back to rectifying</source>
        <translation>重开：退回整改</translation>
    </message>
    <message>
        <source>Merge this ticket into another (duplicate)</source>
        <translation>将本单合并到另一工单（重复登记）</translation>
    </message>
    <message>
        <source>Void: the ticket was entered in error</source>
        <translation>作废：工单属误录</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>已保存。</translation>
    </message>
    <message>
        <source>Choose the customer&apos;s satisfaction, 1 to 5.</source>
        <translation>请选择顾客满意度（1–5）。</translation>
    </message>
    <message>
        <source>You handle this ticket now.</source>
        <translation>这张工单现在由你处理。</translation>
    </message>
</context>
<context>
    <name>TicketPanel</name>
    <message>
        <source>{days}d {clock}</source>
        <translation>{days}天 {clock}</translation>
    </message>
    <message>
        <source>System</source>
        <translation>系统</translation>
    </message>
    <message>
        <source>{kind} {amount} yuan</source>
        <translation>{kind} {amount} 元</translation>
    </message>
    <message>
        <source>via {channel}</source>
        <translation>来自{channel}</translation>
    </message>
    <message>
        <source>graded by the rules and model {version}</source>
        <translation>由规则和模型 {version} 分级</translation>
    </message>
    <message>
        <source>graded by the rules</source>
        <translation>由规则分级</translation>
    </message>
    <message>
        <source>corrected from {level}</source>
        <translation>由{level}更正</translation>
    </message>
    <message>
        <source>raised: several similar complaints</source>
        <translation>已升级：多起同类投诉</translation>
    </message>
    <message>
        <source>to {name}</source>
        <translation>交给{name}</translation>
    </message>
    <message>
        <source>review passed</source>
        <translation>复核通过</translation>
    </message>
    <message>
        <source>returned for rework</source>
        <translation>退回整改</translation>
    </message>
    <message>
        <source>reopened</source>
        <translation>重开</translation>
    </message>
    <message>
        <source>settled at first contact</source>
        <translation>首问解决</translation>
    </message>
    <message>
        <source>accountability: {outcome}</source>
        <translation>奖惩：{outcome}</translation>
    </message>
    <message>
        <source>step {step}: to {to}, {minutes} min overdue</source>
        <translation>第 {step} 级：升级至{to}，已超时 {minutes} 分钟</translation>
    </message>
    <message>
        <source>into {number}</source>
        <translation>并入 {number}</translation>
    </message>
    <message>
        <source>to {to}</source>
        <translation>{to}</translation>
    </message>
    <message>
        <source>Timeline</source>
        <translation>处理记录</translation>
    </message>
    <message>
        <source>Compensation ledger</source>
        <translation>补偿记录</translation>
    </message>
    <message>
        <source>Scripts</source>
        <translation>话术</translation>
    </message>
    <message>
        <source>Print receipt...</source>
        <translation>打印回执...</translation>
    </message>
    <message>
        <source>Scripts ({count})</source>
        <translation>话术（{count}）</translation>
    </message>
    <message>
        <source>No ticket open.</source>
        <translation>未打开工单。</translation>
    </message>
    <message>
        <source>⚠ Conflicting changes from two desks: settle the status</source>
        <translation>⚠ 两台服务台的修改有冲突：请确认状态</translation>
    </message>
    <message>
        <source>Handler: {name}</source>
        <translation>处理人：{name}</translation>
    </message>
    <message>
        <source>unassigned</source>
        <translation>未分配</translation>
    </message>
    <message>
        <source>{time}  {kind} {amount} yuan  {status}  requested by {who}</source>
        <translation>{time}  {kind} {amount} 元  {status}  申请人 {who}</translation>
    </message>
    <message>
        <source>, approved by {who}</source>
        <translation>，审批人 {who}</translation>
    </message>
    <message>
        <source> (waiting for the regional manager)</source>
        <translation>（等待区域经理审批）</translation>
    </message>
    <message>
        <source> (waiting for headquarters)</source>
        <translation>（等待总部审批）</translation>
    </message>
    <message>
        <source>Compensation ledger ({count})</source>
        <translation>补偿记录（{count}）</translation>
    </message>
    <message>
        <source>Responded {time}</source>
        <translation>已响应 {time}</translation>
    </message>
    <message>
        <source>Follow-up call due {time}</source>
        <translation>回访截止 {time}</translation>
    </message>
    <message>
        <source>Overdue by {time}</source>
        <translation>已超时 {time}</translation>
    </message>
    <message>
        <source>Respond within {time}</source>
        <translation>响应剩余 {time}</translation>
    </message>
</context>
<context>
    <name>TicketQueueModel</name>
    <message>
        <source>Level</source>
        <translation>级别</translation>
    </message>
    <message>
        <source>Number</source>
        <translation>单号</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>分类</translation>
    </message>
    <message>
        <source>Channel</source>
        <translation>渠道</translation>
    </message>
    <message>
        <source>Complaint</source>
        <translation>投诉内容</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>顾客</translation>
    </message>
    <message>
        <source>Handler</source>
        <translation>处理人</translation>
    </message>
    <message>
        <source>Recorded</source>
        <translation>登记时间</translation>
    </message>
    <message>
        <source>Response</source>
        <translation>响应</translation>
    </message>
    <message>
        <source>Sorts by urgency: overdue first (the most overdue first), then level, then time left</source>
        <translation>按紧急程度排序：先列超时工单（超时最久的在前），再按等级，再按剩余时间</translation>
    </message>
    <message>
        <source>Responded</source>
        <translation>已响应</translation>
    </message>
    <message>
        <source>{days} d {hours} h left</source>
        <translation>剩 {days}天{hours}小时</translation>
    </message>
    <message>
        <source>{hours} h {minutes} min left</source>
        <translation>剩 {hours}小时{minutes}分</translation>
    </message>
    <message>
        <source>{minutes} min left</source>
        <translation>剩 {minutes} 分</translation>
    </message>
    <message>
        <source>Overdue {days} d {hours} h</source>
        <translation>超时 {days}天{hours}小时</translation>
    </message>
    <message>
        <source>Overdue {hours} h {minutes} min</source>
        <translation>超时 {hours}小时{minutes}分</translation>
    </message>
    <message>
        <source>Overdue {minutes} min</source>
        <translation>超时 {minutes} 分</translation>
    </message>
    <message>
        <source>Respond by {due}</source>
        <translation>须在 {due} 前响应</translation>
    </message>
    <message>
        <source>Two desks changed this ticket at once: settle the conflict</source>
        <translation>两个服务台同时改了此单，请处理冲突</translation>
    </message>
</context>
<context>
    <name>TicketQueuePanel</name>
    <message>
        <source>Open</source>
        <translation>进行中</translation>
    </message>
    <message>
        <source>All</source>
        <translation>全部</translation>
    </message>
    <message>
        <source>Any level</source>
        <translation>全部级别</translation>
    </message>
    <message>
        <source>Any channel</source>
        <translation>全部渠道</translation>
    </message>
    <message>
        <source>O&amp;verdue</source>
        <translation>超时(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Follow-up due</source>
        <translation>回访超时(&amp;F)</translation>
    </message>
    <message>
        <source>Mine</source>
        <translation>我的</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Level</source>
        <translation>级别</translation>
    </message>
    <message>
        <source>Channel</source>
        <translation>渠道</translation>
    </message>
    <message>
        <source>Search text, number or phone (Ctrl+F)</source>
        <translation>搜索内容、单号或电话 (Ctrl+F)</translation>
    </message>
    <message>
        <source>{count} tickets</source>
        <translation>共 {count} 张</translation>
    </message>
</context>
<context>
    <name>TimelineWords</name>
    <message>
        <source>escalation step {step}</source>
        <translation>第 {step} 级升级</translation>
    </message>
    <message>
        <source>level-1 alert</source>
        <translation>一级预警</translation>
    </message>
    <message>
        <source>response overdue</source>
        <translation>响应超时</translation>
    </message>
    <message>
        <source>alert</source>
        <translation>提醒</translation>
    </message>
    <message>
        <source>80 mm roll</source>
        <translation>80 毫米小票</translation>
    </message>
    <message>
        <source>A4</source>
        <translation>A4</translation>
    </message>
    <message>
        <source>reprint, copy {n}</source>
        <translation>补打，第 {n} 份</translation>
    </message>
    <message>
        <source>, </source>
        <translation>，</translation>
    </message>
</context>
<context>
    <name>TrendChart</name>
    <message>
        <source>Other levels</source>
        <translation>其他级别</translation>
    </message>
</context>
<context>
    <name>WorkArea</name>
    <message>
        <source>&amp;New complaint</source>
        <translation>新登记(&amp;N)</translation>
    </message>
    <message>
        <source>&amp;Ticket</source>
        <translation>工单(&amp;T)</translation>
    </message>
    <message>
        <source>A&amp;pprovals</source>
        <translation>审批(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Reports</source>
        <translation>报表(&amp;R)</translation>
    </message>
</context>
<context>
    <name>app</name>
    <message>
        <source>Kesu cannot open the desk database {path}:
{reason}</source>
        <translation>客诉无法打开服务台数据库 {path}：
{reason}</translation>
    </message>
    <message>
        <source>Kesu</source>
        <translation>客诉</translation>
    </message>
</context>
<context>
    <name>labels</name>
    <message>
        <source>Level 1</source>
        <translation>一级</translation>
    </message>
    <message>
        <source>Level 2</source>
        <translation>二级</translation>
    </message>
    <message>
        <source>Level 3</source>
        <translation>三级</translation>
    </message>
    <message>
        <source>Refund</source>
        <translation>退款</translation>
    </message>
    <message>
        <source>Exchange</source>
        <translation>换货</translation>
    </message>
    <message>
        <source>Gift</source>
        <translation>赠品</translation>
    </message>
    <message>
        <source>Coupon</source>
        <translation>优惠券</translation>
    </message>
    <message>
        <source>Cash</source>
        <translation>现金</translation>
    </message>
    <message>
        <source>Service card</source>
        <translation>服务卡</translation>
    </message>
    <message>
        <source>Category coupon</source>
        <translation>品类券</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>电话</translation>
    </message>
    <message>
        <source>In person</source>
        <translation>当面</translation>
    </message>
    <message>
        <source>SMS</source>
        <translation>短信</translation>
    </message>
    <message>
        <source>WeChat</source>
        <translation>微信</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>其他</translation>
    </message>
    <message>
        <source>Complaint recorded</source>
        <translation>受理登记</translation>
    </message>
    <message>
        <source>Graded</source>
        <translation>定级</translation>
    </message>
    <message>
        <source>Assigned</source>
        <translation>指派</translation>
    </message>
    <message>
        <source>Status changed</source>
        <translation>状态变更</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Customer contacted</source>
        <translation>联系顾客</translation>
    </message>
    <message>
        <source>Compensation requested</source>
        <translation>申请补偿</translation>
    </message>
    <message>
        <source>Compensation granted</source>
        <translation>发放补偿</translation>
    </message>
    <message>
        <source>Compensation decided</source>
        <translation>补偿审批</translation>
    </message>
    <message>
        <source>Compensation refused</source>
        <translation>补偿被拒</translation>
    </message>
    <message>
        <source>Escalated</source>
        <translation>升级</translation>
    </message>
    <message>
        <source>Rated</source>
        <translation>评价</translation>
    </message>
    <message>
        <source>Merged</source>
        <translation>合并</translation>
    </message>
    <message>
        <source>Voided</source>
        <translation>作废</translation>
    </message>
    <message>
        <source>Notification</source>
        <translation>通知</translation>
    </message>
    <message>
        <source>Conflict settled</source>
        <translation>冲突已处理</translation>
    </message>
    <message>
        <source>Alert acknowledged</source>
        <translation>已确认提醒</translation>
    </message>
    <message>
        <source>Receipt printed</source>
        <translation>已打印单据</translation>
    </message>
    <message>
        <source>Other change</source>
        <translation>其他变更</translation>
    </message>
    <message>
        <source>Unexpected error: %1</source>
        <translation>意外错误：%1</translation>
    </message>
    <message>
        <source>Food safety</source>
        <translation>食品安全</translation>
    </message>
    <message>
        <source>Injury</source>
        <translation>人身伤害</translation>
    </message>
    <message>
        <source>Group complaint</source>
        <translation>群体投诉</translation>
    </message>
    <message>
        <source>Escalation risk</source>
        <translation>升级风险</translation>
    </message>
    <message>
        <source>VIP customer</source>
        <translation>重要顾客</translation>
    </message>
    <message>
        <source>Not a member</source>
        <translation>非会员</translation>
    </message>
    <message>
        <source>Silver</source>
        <translation>银卡</translation>
    </message>
    <message>
        <source>Gold</source>
        <translation>金卡</translation>
    </message>
    <message>
        <source>Platinum</source>
        <translation>白金卡</translation>
    </message>
    <message>
        <source>Diamond</source>
        <translation>钻石卡</translation>
    </message>
    <message>
        <source>Reward</source>
        <translation>奖励</translation>
    </message>
    <message>
        <source>Penalty</source>
        <translation>处罚</translation>
    </message>
    <message>
        <source>No reward or penalty</source>
        <translation>不奖不罚</translation>
    </message>
    <message>
        <source>Handler</source>
        <translation>处理人</translation>
    </message>
    <message>
        <source>Store manager</source>
        <translation>店长</translation>
    </message>
    <message>
        <source>Regional manager</source>
        <translation>区域经理</translation>
    </message>
    <message>
        <source>General manager</source>
        <translation>总经理</translation>
    </message>
    <message>
        <source>Department head</source>
        <translation>部门负责人</translation>
    </message>
    <message>
        <source>Granted</source>
        <translation>已发放</translation>
    </message>
    <message>
        <source>Waiting for approval</source>
        <translation>待审批</translation>
    </message>
    <message>
        <source>Refused</source>
        <translation>已拒绝</translation>
    </message>
</context>
<context>
    <name>reports</name>
    <message>
        <source>Mon</source>
        <translation>周一</translation>
    </message>
    <message>
        <source>Tue</source>
        <translation>周二</translation>
    </message>
    <message>
        <source>Wed</source>
        <translation>周三</translation>
    </message>
    <message>
        <source>Thu</source>
        <translation>周四</translation>
    </message>
    <message>
        <source>Fri</source>
        <translation>周五</translation>
    </message>
    <message>
        <source>Sat</source>
        <translation>周六</translation>
    </message>
    <message>
        <source>Sun</source>
        <translation>周日</translation>
    </message>
    <message>
        <source>{date} ({weekday})</source>
        <translation>{date}（{weekday}）</translation>
    </message>
    <message>
        <source>{first} 00:00 to {last} 24:00, store time ({zone}, UTC{offset})</source>
        <translation>{first} 00:00 至 {last} 24:00，门店时间（{zone}，UTC{offset}）</translation>
    </message>
    <message>
        <source>previous period: {value}</source>
        <translation>上期：{value}</translation>
    </message>
    <message>
        <source>{delta} pts</source>
        <translation>{delta} 个百分点</translation>
    </message>
    <message>
        <source>{delta} min</source>
        <translation>{delta} 分钟</translation>
    </message>
    <message>
        <source>= same as previous</source>
        <translation>= 与上期持平</translation>
    </message>
    <message>
        <source>{arrow} {delta} vs previous</source>
        <translation>{arrow} 较上期 {delta}</translation>
    </message>
</context>
</TS>
