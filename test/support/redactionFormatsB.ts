// Credential formats, part 2 (issue 13): HTTP and URLs, command-line flags, config by key name, tables and tools, base64-wrapped.
import { ALNUM, B64, B64URL, DIGITS, HEX, LOWNUM, UPNUM, b64, command, pem, pemBody, pw, text, uuid, type Format } from './redactionShapes';

export const HTTP_AND_URLS: readonly Format[] = [
  text('Authorization: Basic in curl -v', (r) => {
    const cred = b64(`ada:${pw(r)}`);
    return { text: `> GET /v1/locks HTTP/2\n> Host: api.internal.example\n> Authorization: Basic ${cred}\n> User-Agent: curl/8.5.0\n`, secrets: [cred] };
  }),
  text('Authorization: Bearer in curl -v', (r) => {
    const t = r.of(ALNUM, 48);
    return { text: `> Authorization: Bearer ${t}\n> Accept: */*\n`, secrets: [t] };
  }),
  text('Basic credential outside a header', (r) => {
    const cred = b64(`svc-backup:${pw(r)}`);
    return { text: `2026-11-28T09:48:26Z proxy upstream=backup.internal auth basic ${cred} status=200\n`, secrets: [cred] };
  }),
  text('X-API-Key header', (r) => {
    const k = r.of(HEX, 40);
    return { text: `curl -s -H "X-API-Key: ${k}" https://metrics.internal.example/api/v1/query\n`, secrets: [k] };
  }),
  text('Cookie and Set-Cookie headers', (r) => {
    const a = r.of(B64URL, 40);
    const b = r.of(HEX, 32);
    return { text: `< set-cookie: _session_id=${a}; Path=/; HttpOnly; Secure\n> Cookie: csrftoken=${b}; theme=dark\n`, secrets: [a, b] };
  }),
  text('PostgreSQL URL with password', (r) => {
    const p = pw(r);
    return { text: `DATABASE_URL=postgres://app:${p}@db-primary.internal:5432/orders?sslmode=require\n`, secrets: [p] };
  }),
  text('MongoDB SRV URL with password', (r) => {
    const p = pw(r);
    return { text: `mongodb+srv://ops-admin:${p}@cluster0.ab1cd.mongodb.net/?retryWrites=true&w=majority\n`, secrets: [p] };
  }),
  text('Redis URL with password only', (r) => {
    const p = r.of(ALNUM, 32);
    return { text: `REDIS_URL=redis://:${p}@cache-1.internal:6379/0\n`, secrets: [p] };
  }),
  text('AMQP URL with password', (r) => {
    const p = pw(r);
    return { text: `amqps://orders:${p}@mq.internal.example:5671/%2Fprod\n`, secrets: [p] };
  }),
  text('git credential store line', (r) => {
    const t = `ghp_${r.of(ALNUM, 36)}`;
    return { text: `https://ada:${t}@github.com\n`, secrets: [t] };
  }),
  text('JDBC URL with password parameter', (r) => {
    const p = pw(r);
    return { text: `spring.datasource.url=jdbc:postgresql://db.internal:5432/app?user=app&password=${p}&ssl=true\n`, secrets: [p] };
  }),
  text('Oracle thin JDBC URL', (r) => {
    const p = pw(r);
    return { text: `jdbc:oracle:thin:scott/${p}@db-ora.internal:1521:ORCL\n`, secrets: [p] };
  }),
  text('Go MySQL DSN', (r) => {
    const p = pw(r);
    return { text: `dsn: app:${p}@tcp(mysql.internal:3306)/orders?parseTime=true\n`, secrets: [p] };
  }),
  text('SQL Server connection string', (r) => {
    const p = `${pw(r)};x`;
    return { text: `Server=tcp:sql.internal,1433;Database=orders;User Id=app;Password=${p};Encrypt=True;\n`, secrets: [p] };
  }),
  text('Slack incoming webhook', (r) => {
    const path = `T${r.of(UPNUM, 10)}/B${r.of(UPNUM, 10)}/${r.of(ALNUM, 24)}`;
    return { text: `curl -X POST -d '{"text":"paged"}' https://hooks.slack.com/services/${path}\n`, secrets: [path] };
  }),
  text('Discord webhook', (r) => {
    const path = `${r.of(DIGITS, 18)}/${r.of(B64URL, 68)}`;
    return { text: `https://discord.com/api/webhooks/${path}\n`, secrets: [path.split('/')[1] as string] };
  }),
  text('Microsoft Teams webhook', (r) => {
    const tail = `${r.of(LOWNUM, 32)}/${uuid(r)}`;
    return { text: `https://contoso.webhook.office.com/webhookb2/${uuid(r)}@${uuid(r)}/IncomingWebhook/${tail}\n`, secrets: [tail] };
  }),
];

export const FLAGS: readonly Format[] = [
  command('mysql -pSECRET', (r) => {
    const p = pw(r);
    return { argv: ['mysql', '-h', 'db.internal', '-u', 'root', `-p${p}`, 'orders'], secrets: [p] };
  }),
  command('mysql -p SECRET', (r) => {
    const p = r.of(ALNUM, 16);
    return { argv: ['mysql', '-u', 'root', '-p', p, '-e', 'SHOW PROCESSLIST'], secrets: [p] };
  }),
  command('mysqldump --password=SECRET', (r) => {
    const p = pw(r);
    return { argv: ['mysqldump', '--user=backup', `--password=${p}`, '--single-transaction', 'orders'], secrets: [p] };
  }),
  command('sshpass -p SECRET', (r) => {
    const p = pw(r);
    return { argv: ['sshpass', '-p', p, 'ssh', 'ops@bastion.internal'], secrets: [p] };
  }),
  command('docker login -p SECRET', (r) => {
    const p = r.of(ALNUM, 20);
    return { argv: ['docker', 'login', '-u', 'ci-bot', '-p', p, 'registry.internal.example'], secrets: [p] };
  }),
  command('helm registry login --password SECRET', (r) => {
    const p = r.of(ALNUM, 24);
    return { argv: ['helm', 'registry', 'login', 'registry.internal.example', '--username', 'ci', '--password', p], secrets: [p] };
  }),
  command('curl -u user:password', (r) => {
    const p = pw(r);
    return { argv: ['curl', '-u', `admin:${p}`, 'https://jenkins.internal.example/api/json'], secrets: [p] };
  }),
  command('curl --user=user:password', (r) => {
    const p = r.of(ALNUM, 18);
    return { argv: ['curl', '-sS', `--user=deploy:${p}`, '-X', 'POST', 'https://nexus.internal.example/service/rest/v1/components'], secrets: [p] };
  }),
  command('smbclient -U user%password', (r) => {
    const p = pw(r);
    return { argv: ['smbclient', '//fs01/backup', '-U', `CORP\\svc-backup%${p}`, '-c', 'ls'], secrets: [p] };
  }),
  command('openssl -passout pass:SECRET', (r) => {
    const p = r.of(ALNUM, 20);
    return { argv: ['openssl', 'pkcs12', '-export', '-in', 'tls.crt', '-inkey', 'tls.key', '-out', 'tls.p12', '-passout', `pass:${p}`], secrets: [p] };
  }),
  command('htpasswd -b FILE USER SECRET', (r) => {
    const p = pw(r);
    return { argv: ['htpasswd', '-bB', '/etc/nginx/.htpasswd', 'ada', p], secrets: [p] };
  }),
  command('redis-cli -a SECRET', (r) => {
    const p = r.of(ALNUM, 32);
    return { argv: ['redis-cli', '-h', 'cache-1.internal', '-a', p, 'INFO', 'replication'], secrets: [p] };
  }),
  command('sqlcmd -P SECRET', (r) => {
    const p = pw(r);
    return { argv: ['sqlcmd', '-S', 'sql.internal', '-U', 'sa', '-P', p, '-Q', 'SELECT @@VERSION'], secrets: [p] };
  }),
  command('ldapsearch -w SECRET', (r) => {
    const p = pw(r);
    return { argv: ['ldapsearch', '-x', '-H', 'ldaps://ldap.internal', '-D', 'cn=admin,dc=example,dc=com', '-w', p, '-b', 'dc=example,dc=com'], secrets: [p] };
  }),
  command('mongosh -p SECRET', (r) => {
    const p = pw(r);
    return { argv: ['mongosh', '--host', 'mongo-0.internal', '-u', 'admin', '-p', p, '--authenticationDatabase', 'admin'], secrets: [p] };
  }),
  command('vault kv put path key=value', (r) => {
    const a = r.of(ALNUM, 24);
    const b = pw(r);
    return { argv: ['vault', 'kv', 'put', 'secret/orders/stripe', `api_key=${a}`, `webhook=${b}`], secrets: [a, b] };
  }),
  command('kubectl create secret --from-literal', (r) => {
    const a = r.of(ALNUM, 28);
    return { argv: ['kubectl', '-n', 'orders', 'create', 'secret', 'generic', 'stripe', `--from-literal=key=${a}`], secrets: [a] };
  }),
  command('aws ssm put-parameter SecureString --value', (r) => {
    const v = pw(r);
    return { argv: ['aws', 'ssm', 'put-parameter', '--name', '/orders/db/password', '--type', 'SecureString', '--value', v, '--overwrite'], secrets: [v] };
  }),
  command('az login -p SECRET', (r) => {
    const p = pw(r);
    return { argv: ['az', 'login', '--service-principal', '-u', 'http://breakglass-sp', '-p', p, '--tenant', 'contoso.onmicrosoft.com'], secrets: [p] };
  }),
  command('--token VALUE flag', (r) => {
    const t = r.of(ALNUM, 40);
    return { argv: ['consul', 'acl', 'policy', 'list', '-token', t], secrets: [t] };
  }),
  command('keytool -storepass', (r) => {
    const p = pw(r);
    return { argv: ['keytool', '-list', '-keystore', 'app.jks', '-storepass', p], secrets: [p] };
  }),
  command('docker run -e PASSWORD=…', (r) => {
    const p = pw(r);
    return { argv: ['docker', 'run', '-d', '-e', `POSTGRES_PASSWORD=${p}`, '-p', '5432:5432', 'postgres:16'], secrets: [p] };
  }),
];

export const CONFIG_BY_KEY: readonly Format[] = [
  text('.env file', (r) => {
    const a = pw(r);
    const b = r.of(ALNUM, 32);
    return { text: `APP_ENV=production\nDB_HOST=db.internal\nDB_PASSWORD=${a}\nSESSION_SECRET="${b}"\n`, secrets: [a, b] };
  }),
  text('JSON client secret', (r) => {
    const s = r.of(B64URL, 40);
    return { text: `{\n  "client_id": "ops-console",\n  "client_secret": "${s}",\n  "redirect_uri": "https://console.internal.example/cb"\n}\n`, secrets: [s] };
  }),
  text('YAML password', (r) => {
    const p = pw(r);
    return { text: `database:\n  host: db.internal\n  username: app\n  password: ${p}\n`, secrets: [p] };
  }),
  text('YAML block scalar', (r) => {
    const p = r.of(ALNUM, 30);
    return { text: `smtp:\n  password: |\n    ${p}\n  host: smtp.internal\n`, secrets: [p] };
  }),
  text('INI section', (r) => {
    const p = pw(r);
    return { text: `[client]\nuser = backup\npassword = ${p}\nhost = db.internal\n`, secrets: [p] };
  }),
  text('Java properties', (r) => {
    const p = pw(r);
    return { text: `spring.datasource.username=app\nspring.datasource.password=${p}\n`, secrets: [p] };
  }),
  text('TOML', (r) => {
    const t = r.of(ALNUM, 36);
    return { text: `[registries.internal]\nindex = "https://crates.internal.example/index"\ntoken = "${t}"\n`, secrets: [t] };
  }),
  text('HCL/Terraform variable', (r) => {
    const p = pw(r);
    return { text: `db_password = "${p}"\nregion      = "eu-west-1"\n`, secrets: [p] };
  }),
  text('XML element', (r) => {
    const p = pw(r);
    return { text: `<datasource>\n  <user>app</user>\n  <password>${p}</password>\n</datasource>\n`, secrets: [p] };
  }),
  text('.NET appSettings', (r) => {
    const p = pw(r);
    return { text: `<appSettings>\n  <add key="SmtpPassword" value="${p}" />\n  <add key="SmtpHost" value="smtp.internal" />\n</appSettings>\n`, secrets: [p] };
  }),
  text('WordPress wp-config.php', (r) => {
    const p = pw(r);
    const k = r.of(`${ALNUM}!@#%^&*()-_[]{}<>~+=,.;:/?|`, 64);
    return { text: `define( 'DB_NAME', 'wordpress' );\ndefine( 'DB_PASSWORD', '${p}' );\ndefine( 'AUTH_KEY', '${k.replace(/'/g, '')}' );\n`, secrets: [p, k.replace(/'/g, '')] };
  }),
  text('Ruby hash rocket', (r) => {
    const p = pw(r);
    return { text: `config.smtp_settings = { :user_name => "ops", :password => "${p}" }\n`, secrets: [p] };
  }),
  text('.npmrc', (r) => {
    const t = `npm_${r.of(ALNUM, 36)}`;
    return { text: `registry=https://registry.npmjs.org/\n//registry.npmjs.org/:_authToken=${t}\n`, secrets: [t] };
  }),
  text('.pypirc', (r) => {
    const t = `pypi-AgEIcHlwaS5vcmc${r.of(B64URL, 70)}`;
    return { text: `[pypi]\nusername = __token__\npassword = ${t}\n`, secrets: [t] };
  }),
  text('.netrc single line', (r) => {
    const p = pw(r);
    return { text: `machine api.heroku.com login ada@example.com password ${p}\n`, secrets: [p] };
  }),
  text('.netrc multi-line', (r) => {
    const p = r.of(ALNUM, 24);
    return { text: `machine git.internal.example\n  login ci-bot\n  password ${p}\n`, secrets: [p] };
  }),
  text('Datadog API key by variable name', (r) => {
    const k = r.of(HEX, 32);
    return { text: `DD_SITE=datadoghq.eu\nDD_API_KEY=${k}\n`, secrets: [k] };
  }),
  text('JSON-escaped password inside a log line', (r) => {
    const p = pw(r);
    return { text: `{"level":"debug","msg":"config loaded","config":"{\\"user\\":\\"app\\",\\"password\\":\\"${p}\\"}"}\n`, secrets: [p] };
  }),
];

export const TABLES_AND_TOOLS: readonly Format[] = [
  text('vault kv get table', (r) => {
    const p = pw(r);
    const k = r.of(ALNUM, 32);
    return { text: `====== Secret Path ======\nsecret/data/orders/db\n\n======= Metadata =======\nKey                Value\n---                -----\ncreated_time       2026-11-28T09:48:26.123456Z\nversion            3\n\n====== Data ======\nKey         Value\n---         -----\napi_key     ${k}\npassword    ${p}\nusername    app\n`, secrets: [p, k] };
  }),
  text('vault read database creds', (r) => {
    const p = `A1a-${r.of(ALNUM, 20)}`;
    return { text: `Key                Value\n---                -----\nlease_id           database/creds/readonly/${r.of(ALNUM, 24)}\nlease_duration     1h\nlease_renewable    true\npassword           ${p}\nusername           v-token-readonly-${r.of(LOWNUM, 8)}\n`, secrets: [p] };
  }),
  text('vault operator init', (r) => {
    const keys = Array.from({ length: 5 }, () => r.of(B64, 44));
    const root = `hvs.${r.of(ALNUM, 24)}`;
    return { text: `${keys.map((k, i) => `Unseal Key ${i + 1}: ${k}`).join('\n')}\n\nInitial Root Token: ${root}\n\nVault initialized with 5 key shares and a key threshold of 3.\n`, secrets: [...keys, root] };
  }),
  text('vault operator init -format=json', (r) => {
    const keys = Array.from({ length: 3 }, () => r.of(B64, 44));
    return { text: `{\n  "unseal_keys_b64": [\n    "${keys.join('",\n    "')}"\n  ],\n  "unseal_threshold": 2\n}\n`, secrets: keys };
  }),
  text('AWS CLI table output', (r) => {
    const s = r.of(ALNUM, 30);
    return { text: `-------------------------------------\n|          GetSecretValue           |\n+--------------+--------------------+\n|  Name        |  orders/api        |\n|  SecretString|  ${s}  |\n+--------------+--------------------+\n`, secrets: [s] };
  }),
  text('aws secretsmanager get-secret-value JSON', (r) => {
    const p = pw(r);
    return { text: JSON.stringify({ ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders/db-AbCdEf', Name: 'orders/db', SecretString: JSON.stringify({ username: 'app', password: p }) }, null, 4), secrets: [p] };
  }),
  text('aws ssm get-parameter SecureString', (r) => {
    const v = pw(r);
    return { text: JSON.stringify({ Parameter: { Name: '/orders/db/password', Type: 'SecureString', Value: v, Version: 3, ARN: 'arn:aws:ssm:eu-west-1:123456789012:parameter/orders/db/password' } }, null, 4), secrets: [v] };
  }),
  text('terraform output -json (sensitive)', (r) => {
    const v = pw(r);
    return { text: `{\n  "db_endpoint": {\n    "sensitive": false,\n    "type": "string",\n    "value": "db.internal:5432"\n  },\n  "db_master": {\n    "sensitive": true,\n    "type": "string",\n    "value": "${v}"\n  }\n}\n`, secrets: [v] };
  }),
  text('kubectl describe pod env', (r) => {
    const p = pw(r);
    return { text: `    Environment:\n      DB_HOST:      db.internal\n      DB_PASSWORD:  ${p}\n      DB_USER:      <set to the key 'username' in secret 'db'>  Optional: false\n`, secrets: [p] };
  }),
  text('docker inspect Env', (r) => {
    const p = pw(r);
    return { text: `            "Env": [\n                "POSTGRES_PASSWORD=${p}",\n                "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin"\n            ],\n`, secrets: [p] };
  }),
  text('secret split by colour codes', (r) => {
    const t = `ghp_${r.of(ALNUM, 36)}`;
    const cut = r.int(6, 30);
    return { text: `\x1b[1mtoken:\x1b[0m \x1b[32m${t.slice(0, cut)}\x1b[1;32m${t.slice(cut)}\x1b[0m\n`, secrets: [t, t.slice(0, cut), t.slice(cut)].filter((s) => s.length >= 6) };
  }),
  text('password printed in colour', (r) => {
    const p = pw(r);
    return { text: `\x1b[33mDB_PASSWORD\x1b[0m=\x1b[31m${p}\x1b[0m\n`, secrets: [p] };
  }),
];

export const BASE64_WRAPPED: readonly Format[] = [
  text('docker config.json auth', (r) => {
    const p = pw(r);
    const auth = b64(`ci-bot:${p}`);
    return { text: `{\n\t"auths": {\n\t\t"registry.internal.example": {\n\t\t\t"auth": "${auth}"\n\t\t}\n\t}\n}\n`, secrets: [auth, p] };
  }),
  text('kubeconfig client-key-data', (r) => {
    const body = pemBody(r, 10);
    const data = b64(`${pem('RSA PRIVATE KEY', body)}\n`);
    return { text: `users:\n- name: kubernetes-admin\n  user:\n    client-certificate-data: ${b64('-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\n')}\n    client-key-data: ${data}\n`, secrets: [data.slice(24)] }; // its first characters encode "-----BEGIN ", as the certificate's do
  }),
  text('Kubernetes Secret manifest', (r) => {
    const a = b64(pw(r));
    const b = b64(r.of(ALNUM, 30));
    return { text: `apiVersion: v1\ndata:\n  password: ${a}\n  stripe-key: ${b}\nkind: Secret\nmetadata:\n  name: orders\n  namespace: orders\ntype: Opaque\n`, secrets: [a, b] };
  }),
  text('.dockerconfigjson in a Secret', (r) => {
    const auth = b64(`robot$ci:${r.of(ALNUM, 32)}`);
    const cfg = b64(JSON.stringify({ auths: { 'registry.internal.example': { auth } } }));
    return { text: `{"apiVersion":"v1","kind":"Secret","type":"kubernetes.io/dockerconfigjson","data":{".dockerconfigjson":"${cfg}"}}\n`, secrets: [cfg] };
  }),
  text('base64 private key in a ConfigMap dump', (r) => {
    const body = pemBody(r, 8);
    const data = b64(`${pem('EC PRIVATE KEY', body)}\n`);
    return { text: `tls.key: ${data}\n`, secrets: [data.slice(24)] }; // its head encodes "-----BEGIN ", as a certificate's does
  }),
  text('ECR login password', (r) => {
    const token = b64(JSON.stringify({ payload: r.of(B64, 300), datakey: r.of(B64, 200), version: '2', type: 'DATA_KEY', expiration: 1764366506 }));
    return { text: `${token}\n`, secrets: [token] };
  }),
];

