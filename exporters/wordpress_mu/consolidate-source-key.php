<?php
/**
 * Plugin Name: consolidate source keys
 * Description: Lets the `consolidate` migration tool find what it pushed (source keys on posts, media and
 *              categories), create department sub-sites and upload the file types government sites publish.
 * Version: 3
 *
 * Install: copy this file into wp-content/mu-plugins/ of the portal (a must-use plugin needs no activation).
 * Every object the tool creates carries the meta `consolidate_source_key`; the tool only ever deletes objects
 * that carry it. REST additions (namespace consolidate/v1, authenticated users only):
 *   GET  /consolidate/v1/info            plugin version, whether this is a multisite, the sites of the network
 *   POST /consolidate/v1/sites           create a sub-directory sub-site {path, title, language, timezone}
 *                                        (super admins only; language = WPLANG, timezone = an IANA zone)
 *   GET  /consolidate/v1/objects?key=K   objects carrying source key K (network-wide with network=1)
 * and a `consolidate_source_key` filter on the posts, media, letters and categories collections.
 *
 * Interaction records (来信、咨询、投诉、建议、调查、访谈) are posts of the type `consolidate_letter` (REST:
 * wp/v2/consolidate_letters, front end /hudong/<slug>/), their fields REST-exposed meta (CONSOLIDATE_LETTER_META).
 */

if (!defined('ABSPATH')) {
    exit;
}

const CONSOLIDATE_PLUGIN_VERSION = 3;
const CONSOLIDATE_LETTER_TYPE = 'consolidate_letter';
const CONSOLIDATE_LETTER_META = array(
    'consolidate_source_key', 'consolidate_source_url', 'consolidate_site_id', 'consolidate_content_hash',
    'consolidate_letter_kind', 'consolidate_letter_received', 'consolidate_letter_replied',
    'consolidate_letter_reply_unit', 'consolidate_letter_status', 'consolidate_letter_number',
    'consolidate_letter_category',
);
const CONSOLIDATE_POST_META = array(
    'consolidate_source_key', 'consolidate_source_url', 'consolidate_source', 'consolidate_publisher',
    'consolidate_index_no', 'consolidate_doc_no', 'consolidate_written', 'consolidate_topic',
    'consolidate_site_id', 'consolidate_column_id', 'consolidate_content_hash', 'consolidate_attachments',
    'consolidate_date_estimated', 'consolidate_validity',
);
const CONSOLIDATE_MEDIA_META = array('consolidate_source_key', 'consolidate_sha256', 'consolidate_source_url');
const CONSOLIDATE_TERM_META = array('consolidate_source_key', 'consolidate_column_id');

function consolidate_meta_args() {
    return array(
        'type' => 'string',
        'single' => true,
        'show_in_rest' => true,
        'auth_callback' => function () {
            return current_user_can('edit_posts');
        },
    );
}

add_action('init', function () {
    foreach (CONSOLIDATE_POST_META as $key) {
        register_post_meta('post', $key, consolidate_meta_args());
    }
    foreach (CONSOLIDATE_MEDIA_META as $key) {
        register_post_meta('attachment', $key, consolidate_meta_args());
    }
    foreach (CONSOLIDATE_TERM_META as $key) {
        register_term_meta('category', $key, consolidate_meta_args());
    }
    consolidate_register_letters();
});

/** The post type of interaction records, public and in the REST API, with its fields as meta. */
function consolidate_register_letters() {
    register_post_type(CONSOLIDATE_LETTER_TYPE, array(
        'labels' => array('name' => '互动交流', 'singular_name' => '信件', 'menu_name' => '互动交流'),
        'public' => true, 'has_archive' => true, 'show_in_rest' => true, 'rest_base' => 'consolidate_letters',
        'menu_icon' => 'dashicons-email', 'rewrite' => array('slug' => 'hudong'),
        'supports' => array('title', 'editor', 'custom-fields'),
    ));
    foreach (CONSOLIDATE_LETTER_META as $key) {
        register_post_meta(CONSOLIDATE_LETTER_TYPE, $key, consolidate_meta_args());
    }
    if (get_option('consolidate_rewrite_version') !== (string) CONSOLIDATE_PLUGIN_VERSION) {
        flush_rewrite_rules(false);  // the type's /hudong/ permalinks, once per plugin version and site
        update_option('consolidate_rewrite_version', (string) CONSOLIDATE_PLUGIN_VERSION);
    }
}

/** Restrict a posts/media collection query to one source key. */
function consolidate_filter_posts($args, $request) {
    $key = $request->get_param('consolidate_source_key');
    if (is_string($key) && $key !== '') {
        $args['meta_query'] = array(array('key' => 'consolidate_source_key', 'value' => $key));
    }
    return $args;
}
add_filter('rest_post_query', 'consolidate_filter_posts', 10, 2);
add_filter('rest_attachment_query', 'consolidate_filter_posts', 10, 2);
add_filter('rest_' . CONSOLIDATE_LETTER_TYPE . '_query', 'consolidate_filter_posts', 10, 2);

add_filter('rest_category_query', function ($args, $request) {
    $key = $request->get_param('consolidate_source_key');
    if (is_string($key) && $key !== '') {
        $args['meta_query'] = array(array('key' => 'consolidate_source_key', 'value' => $key));
        $args['hide_empty'] = false;
    }
    return $args;
}, 10, 2);

/** The file types Chinese government sites publish, beyond WordPress's defaults. */
add_filter('upload_mimes', function ($mimes) {
    $extra = array(
        'wps' => 'application/vnd.ms-works', 'et' => 'application/vnd.ms-excel', 'dps' => 'application/vnd.ms-powerpoint',
        'ofd' => 'application/ofd', 'ceb' => 'application/octet-stream', 'rar' => 'application/x-rar-compressed',
        '7z' => 'application/x-7z-compressed', 'zip' => 'application/zip', 'txt' => 'text/plain',
        'csv' => 'text/csv', 'xls' => 'application/vnd.ms-excel', 'doc' => 'application/msword',
    );
    return array_merge($mimes, $extra);
});

/** Trust the extension for those types: fileinfo often cannot tell a .wps or .ofd from random bytes. */
add_filter('wp_check_filetype_and_ext', function ($data, $file, $filename, $mimes) {
    if (!empty($data['ext'])) {
        return $data;
    }
    $type = wp_check_filetype($filename, $mimes);
    if (!empty($type['ext'])) {
        return array('ext' => $type['ext'], 'type' => $type['type'], 'proper_filename' => false);
    }
    return $data;
}, 10, 4);

/** Multisite upload type list (site option upload_filetypes) gets the same extensions. */
add_filter('site_option_upload_filetypes', function ($value) {
    $have = preg_split('/\s+/', (string) $value, -1, PREG_SPLIT_NO_EMPTY);
    foreach (array('wps', 'et', 'dps', 'ofd', 'ceb', 'rar', '7z', 'zip', 'txt', 'csv', 'xls', 'doc', 'docx', 'xlsx', 'pdf') as $ext) {
        if (!in_array($ext, $have, true)) {
            $have[] = $ext;
        }
    }
    return implode(' ', $have);
});

/** Objects of the current site carrying a source key. */
function consolidate_objects_here($key) {
    $found = array();
    $posts = get_posts(array(
        'post_type' => array('post', 'attachment', CONSOLIDATE_LETTER_TYPE), 'post_status' => 'any',
        'numberposts' => 20,
        'meta_key' => 'consolidate_source_key', 'meta_value' => $key, 'suppress_filters' => true,
    ));
    foreach ($posts as $post) {
        $is_file = $post->post_type === 'attachment';
        $kind = $is_file ? 'media' : ($post->post_type === CONSOLIDATE_LETTER_TYPE ? 'letter' : 'post');
        $found[] = array(
            'kind' => $kind, 'id' => $post->ID,
            'url' => $is_file ? wp_get_attachment_url($post->ID) : get_permalink($post),
        );
    }
    $terms = get_terms(array(
        'taxonomy' => 'category', 'hide_empty' => false,
        'meta_query' => array(array('key' => 'consolidate_source_key', 'value' => $key)),
    ));
    if (!is_wp_error($terms)) {
        foreach ($terms as $term) {
            $found[] = array('kind' => 'category', 'id' => $term->term_id, 'url' => get_term_link($term));
        }
    }
    return $found;
}

/** The sites of the network (or just this one), with their path relative to the network's root. */
function consolidate_sites() {
    if (!is_multisite()) {
        return array(array('blog_id' => 1, 'path' => '', 'url' => home_url('/')));
    }
    $network_path = get_network()->path;
    $sites = array();
    foreach (get_sites(array('number' => 10000, 'network_id' => get_current_network_id())) as $site) {
        $sites[] = array(
            'blog_id' => (int) $site->blog_id,
            'path' => trim(substr($site->path, strlen($network_path)), '/'),
            'url' => get_home_url($site->blog_id, '/'),
        );
    }
    return $sites;
}

add_action('rest_api_init', function () {
    $logged_in = function () {
        return is_user_logged_in() && current_user_can('edit_posts');
    };
    register_rest_route('consolidate/v1', '/info', array(
        'methods' => 'GET',
        'permission_callback' => $logged_in,
        'callback' => function () {
            return array(
                'version' => CONSOLIDATE_PLUGIN_VERSION,
                'multisite' => is_multisite(),
                'is_network_root' => !is_multisite() || is_main_site(),
                'sites' => consolidate_sites(),
            );
        },
    ));
    register_rest_route('consolidate/v1', '/objects', array(
        'methods' => 'GET',
        'permission_callback' => $logged_in,
        'args' => array('key' => array('required' => true, 'type' => 'string')),
        'callback' => function ($request) {
            $key = $request->get_param('key');
            if (!$request->get_param('network') || !is_multisite()) {
                $here = consolidate_objects_here($key);
                foreach ($here as &$object) {
                    $object['site'] = null;
                }
                return $here;
            }
            $found = array();
            foreach (consolidate_sites() as $site) {
                if (!is_super_admin() && !is_user_member_of_blog(get_current_user_id(), $site['blog_id'])) {
                    continue;
                }
                switch_to_blog($site['blog_id']);
                foreach (consolidate_objects_here($key) as $object) {
                    $object['site'] = $site['path'];
                    $found[] = $object;
                }
                restore_current_blog();
            }
            return $found;
        },
    ));
    register_rest_route('consolidate/v1', '/sites', array(
        'methods' => 'POST',
        'permission_callback' => function () {
            return is_multisite() && current_user_can('create_sites');
        },
        'args' => array(
            'path' => array('required' => true, 'type' => 'string', 'pattern' => '^[a-z0-9][a-z0-9-]*$'),
            'title' => array('required' => true, 'type' => 'string'),
            'language' => array('type' => 'string', 'pattern' => '^([a-z]{2,3}(_[A-Z]{2})?)?$', 'default' => ''),
            'timezone' => array('type' => 'string', 'default' => ''),
        ),
        'callback' => function ($request) {
            $timezone = $request->get_param('timezone');
            if ($timezone !== '' && !in_array($timezone, timezone_identifiers_list(), true)) {
                return new WP_Error('consolidate_bad_timezone', 'unknown time zone: ' . $timezone, array('status' => 400));
            }
            return consolidate_create_site($request->get_param('path'), $request->get_param('title'),
                $request->get_param('language'), $timezone);
        },
    ));
});

/** Create a sub-directory sub-site (or return the existing one), keeping the network's host:port; a new one gets
 *  the language (WPLANG, with that locale's date and time formats) and time zone asked for. */
function consolidate_create_site($path, $title, $language = '', $timezone = '') {
    $network = get_network();
    $full_path = $network->path . $path . '/';
    $existing = get_site_by_path($network->domain, $full_path);
    if ($existing && trim($existing->path, '/') === trim($full_path, '/')) {
        return array('blog_id' => (int) $existing->blog_id, 'path' => $path, 'url' => get_home_url($existing->blog_id, '/'), 'created' => false);
    }
    $options = array('public' => 1);
    if ($timezone !== '') {
        $options['timezone_string'] = $timezone;
        $options['gmt_offset'] = '';
    }
    $blog_id = wpmu_create_blog($network->domain, $full_path, $title, get_current_user_id(), $options, $network->id);
    if (is_wp_error($blog_id)) {
        return $blog_id;
    }
    consolidate_fix_site_host($blog_id, $network->domain, $full_path);
    $installed = $language === '' || consolidate_set_language($blog_id, $language);
    return array('blog_id' => (int) $blog_id, 'path' => $path, 'url' => get_home_url($blog_id, '/'), 'created' => true,
                 'language_installed' => $installed);
}

/** Set a site's WPLANG and that locale's date and time formats; false when the language pack is missing. */
function consolidate_set_language($blog_id, $language) {
    $installed = $language === 'en_US' || in_array($language, get_available_languages(), true);
    switch_to_blog($blog_id);
    update_option('WPLANG', $installed ? $language : '');
    if ($installed && switch_to_locale($language)) {
        update_option('date_format', __('F j, Y'));
        update_option('time_format', __('g:i a'));
        restore_previous_locale();
    }
    restore_current_blog();
    return $installed;
}

/** wpmu_create_blog() drops a :port from the domain; put the network's host back on the new site. */
function consolidate_fix_site_host($blog_id, $domain, $full_path) {
    global $wpdb;
    $wpdb->update($wpdb->blogs, array('domain' => $domain), array('blog_id' => $blog_id));
    clean_blog_cache($blog_id);
    $scheme = is_ssl() ? 'https' : 'http';
    $home = get_blog_option(get_main_site_id(), 'home');
    if ($home) {
        $scheme = parse_url($home, PHP_URL_SCHEME) ?: $scheme;
    }
    $url = $scheme . '://' . $domain . untrailingslashit($full_path);
    switch_to_blog($blog_id);
    update_option('home', $url);
    update_option('siteurl', $url);
    delete_option('rewrite_rules');
    restore_current_blog();
}
