<?php
// socket-push PHP binding generator, like the original's generateApi.php:
//
//   php codegen/php/generateApi.php -h HOST -p PORT [-k APIKEY] [-o OUTDIR]
//
// Reads the self-description (GET /api) of a live node and writes into OUTDIR (default ./socketpush-php):
//   one class per service (SocketPush\Auth, SocketPush\Channel, SocketPush\User, SocketPush\Cluster) with one
//   method per API method and the same parameter names, SocketPush\Api (all services on one client), the
//   runtime (SocketPush\Client, SocketPush\ApiException, SocketPush\Token, SocketPush\Webhook) and autoload.php.
// Needs only php-cli's defaults (http stream wrapper, json).
declare(strict_types=1);

const RESERVED = ['abstract', 'and', 'array', 'as', 'break', 'callable', 'case', 'catch', 'class', 'clone', 'const',
    'continue', 'declare', 'default', 'do', 'echo', 'else', 'elseif', 'empty', 'enddeclare', 'endfor', 'endforeach',
    'endif', 'endswitch', 'endwhile', 'enum', 'eval', 'exit', 'extends', 'final', 'finally', 'fn', 'for', 'foreach',
    'function', 'global', 'goto', 'if', 'implements', 'include', 'instanceof', 'insteadof', 'interface', 'isset',
    'list', 'match', 'namespace', 'new', 'or', 'print', 'private', 'protected', 'public', 'readonly', 'require',
    'return', 'static', 'switch', 'throw', 'trait', 'try', 'unset', 'use', 'var', 'while', 'xor', 'yield',
    'api', 'client', 'apiexception', 'self', 'parent', 'mixed', 'void', 'null', 'true', 'false', 'int', 'string',
    'float', 'bool', 'object', 'iterable', 'never'];

function usage(string $error = ''): never
{
    if ($error !== '') {
        fwrite(STDERR, "generateApi.php: $error\n");
    }
    fwrite(STDERR, "usage: php generateApi.php -h HOST -p PORT [-k APIKEY] [-o OUTDIR]\n"
        . "  reads http://HOST:PORT/api of a socket-push node and writes PHP classes to OUTDIR (default ./socketpush-php)\n");
    exit($error === '' ? 0 : 2);
}

function fail(string $message): never
{
    fwrite(STDERR, "generateApi.php: $message\n");
    exit(1);
}

/** A PHP identifier from the description, or fail: the description comes over the network. */
function ident(mixed $name, string $what): string
{
    if (!is_string($name) || !preg_match('/^[A-Za-z_][A-Za-z0-9_]*$/', $name)) {
        fail("invalid $what name in /api: " . json_encode($name));
    }
    return $name;
}

/** Text safe inside a /** ... *\/ comment, on one line. */
function doc(mixed $text): string
{
    $t = is_string($text) ? $text : '';
    $t = preg_replace('/\s+/', ' ', $t) ?? '';
    return trim(str_replace('*/', '* /', $t));
}

$opts = getopt('h:p:k:o:', ['help']);
if ($opts === false || isset($opts['help'])) {
    usage();
}
$host = $opts['h'] ?? null;
$port = $opts['p'] ?? null;
if (!is_string($host) || $host === '' || !is_string($port) || !ctype_digit($port) || (int) $port < 1 || (int) $port > 65535) {
    usage('-h HOST and -p PORT (1-65535) are required');
}
$apiKey = isset($opts['k']) && is_string($opts['k']) ? $opts['k'] : null;
$out = isset($opts['o']) && is_string($opts['o']) ? $opts['o'] : 'socketpush-php';

// -- read the self-description ----------------------------------------------------------------------------
$url = "http://$host:$port/api";
$headers = ['Accept: application/json'];
if ($apiKey !== null && $apiKey !== '') {
    $headers[] = 'Authorization: Bearer ' . $apiKey;
}
$ctx = stream_context_create(['http' => ['method' => 'GET', 'header' => implode("\r\n", $headers), 'timeout' => 10,
    'ignore_errors' => true]]);
$raw = @file_get_contents($url, false, $ctx);
if ($raw === false) {
    fail("cannot read $url: " . (error_get_last()['message'] ?? 'unknown error'));
}
$status = 0;
foreach ($http_response_header ?? [] as $line) {
    if (preg_match('#^HTTP/\S+\s+(\d{3})#', $line, $m)) {
        $status = (int) $m[1];
    }
}
$api = json_decode($raw, true);
if ($status !== 200 || !is_array($api) || !isset($api['services']) || !is_array($api['services'])) {
    fail("$url did not answer a socket-push API description (HTTP $status)");
}

// -- generate ---------------------------------------------------------------------------------------------
const PARAM_TYPES = ['string' => 'string|int', 'json' => 'mixed', 'object' => 'array|object', 'integer' => 'int'];
const RETURN_TYPES = ['none' => 'void', 'string' => 'string', 'integer' => 'int', 'string_list' => 'array',
    'object' => 'array', 'page' => 'array', 'publish_result' => 'array'];
const RETURN_DOCS = ['none' => 'void', 'string' => 'string', 'integer' => 'int', 'string_list' => 'string[]',
    'object' => 'array<string, mixed>', 'page' => 'array{items: string[], nextCursor: string|null}',
    'publish_result' => 'array{sockets: int, epoch: string, offset: string}'];

function serviceClass(string $service, array $desc): array
{
    $class = ucfirst($service);
    if (in_array(strtolower($class), RESERVED, true)) {
        $class .= 'Service';
    }
    $methods = $desc['methods'] ?? null;
    if (!is_array($methods)) {
        fail("service $service has no methods in /api");
    }
    $code = "<?php\n// Generated by codegen/php/generateApi.php from GET /api of a socket-push node. Do not edit.\n"
        . "declare(strict_types=1);\n\nnamespace SocketPush;\n\n"
        . "/**\n * " . doc($desc['description'] ?? $service) . "\n *\n * Service \"$service\" of the socket-push management API.\n */\n"
        . "final class $class\n{\n    private Client \$client;\n\n"
        . "    public function __construct(Client \$client)\n    {\n        \$this->client = \$client;\n    }\n";
    foreach ($methods as $name => $m) {
        $name = ident($name, 'method');
        $params = is_array($m['params'] ?? null) ? $m['params'] : [];
        $returns = is_string($m['returns'] ?? null) && isset(RETURN_TYPES[$m['returns']]) ? $m['returns'] : null;
        $docLines = ['     * ' . doc($m['description'] ?? "$service.$name"), '     *'];
        $sig = [];
        $body = [];
        // optional parameters get a default only when nothing required follows them
        $lastRequired = -1;
        foreach (array_values($params) as $i => $p) {
            if (($p['required'] ?? true) !== false) {
                $lastRequired = $i;
            }
        }
        foreach (array_values($params) as $i => $p) {
            $pn = ident($p['name'] ?? null, 'parameter');
            $type = is_string($p['type'] ?? null) && isset(PARAM_TYPES[$p['type']]) ? $p['type'] : 'json';
            $optional = ($p['required'] ?? true) === false && $i > $lastRequired;
            $phpType = PARAM_TYPES[$type];
            $docLines[] = "     * @param $phpType" . ($optional ? '|null' : '') . " \$$pn " . doc($p['description'] ?? '')
                . (!empty($p['shardKey']) ? ' (shard key)' : '');
            if ($optional) {
                $sig[] = ($phpType === 'mixed' ? 'mixed' : "$phpType|null") . " \$$pn = null";
            } else {
                $sig[] = "$phpType \$$pn";
            }
            $value = match ($type) {
                'string' => "(string) \$$pn",
                'object' => "(object) \$$pn",
                'integer' => "(int) \$$pn",
                default => "\$$pn",
            };
            $body[] = $optional
                ? "        if (\$$pn !== null) {\n            \$params['$pn'] = $value;\n        }"
                : "        \$params['$pn'] = $value;";
        }
        $docLines[] = '     * @return ' . ($returns === null ? 'mixed' : RETURN_DOCS[$returns]);
        $docLines[] = '     * @throws ApiException with getErrorCode() from the failure catalogue, e.g. BAD_REQUEST';
        $retType = $returns === null ? 'mixed' : RETURN_TYPES[$returns];
        $call = "\$this->client->call('$service', '$name', \$params)";
        $code .= "\n    /**\n" . implode("\n", $docLines) . "\n     */\n"
            . "    public function $name(" . implode(', ', $sig) . "): $retType\n    {\n"
            . "        \$params = [];\n" . (count($body) > 0 ? implode("\n", $body) . "\n" : '')
            . ($retType === 'void' ? "        $call;\n" : "        return $call;\n")
            . "    }\n";
    }
    $code .= "}\n";
    return [$class, $code];
}

if (!is_dir($out) && !mkdir($out, 0777, true) && !is_dir($out)) {
    fail("cannot create $out");
}
$written = [];
$props = '';
$inits = '';
foreach ($api['services'] as $service => $desc) {
    $service = ident($service, 'service');
    [$class, $code] = serviceClass($service, is_array($desc) ? $desc : []);
    if (file_put_contents("$out/$class.php", $code) === false) {
        fail("cannot write $out/$class.php");
    }
    $written[] = "$class.php";
    $props .= "    /** " . doc($desc['description'] ?? $service) . " */\n    public $class \$$service;\n";
    $inits .= "        \$this->$service = new $class(\$this->client);\n";
}
$facade = "<?php\n// Generated by codegen/php/generateApi.php from GET /api of a socket-push node. Do not edit.\n"
    . "declare(strict_types=1);\n\nnamespace SocketPush;\n\n"
    . "/**\n * Every service of the socket-push management API on one client:\n"
    . " * \$api = new Api(Client::create('127.0.0.1', 8181, \$key)); \$api->auth->set('1', 'test');\n */\n"
    . "final class Api\n{\n    public Client \$client;\n$props\n"
    . "    public function __construct(Client \$client)\n    {\n        \$this->client = \$client;\n$inits    }\n}\n";
file_put_contents("$out/Api.php", $facade);
$written[] = 'Api.php';
foreach (['Client.php', 'ApiException.php', 'Token.php', 'Webhook.php'] as $runtime) {
    if (!copy(__DIR__ . "/runtime/$runtime", "$out/$runtime")) {
        fail("cannot copy runtime/$runtime to $out");
    }
    $written[] = $runtime;
}
$autoload = "<?php\n// Generated by codegen/php/generateApi.php. require this file, then use the SocketPush\\ classes.\n"
    . "declare(strict_types=1);\n\nspl_autoload_register(static function (string \$class): void {\n"
    . "    if (str_starts_with(\$class, 'SocketPush\\\\')) {\n"
    . "        \$file = __DIR__ . '/' . substr(\$class, strlen('SocketPush\\\\')) . '.php';\n"
    . "        if (is_file(\$file)) {\n            require \$file;\n        }\n    }\n});\n";
file_put_contents("$out/autoload.php", $autoload);
$written[] = 'autoload.php';
fwrite(STDOUT, "generated " . implode(', ', $written) . " in $out from $url\n");
